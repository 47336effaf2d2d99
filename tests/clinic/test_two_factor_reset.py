"""Two-factor log-in: administrators reset a lost device, with a reason kept in
history; secrets stay out of it."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from clinic import two_factor
from tests.clinic.two_factor_support import (
    logged_in_as,
    login,
    second_step,
    totp_code,
)

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_administrator_resets_a_device_with_a_reason_kept_in_history(
    admin_client, admin_user, enrolled
):
    nora = enrolled.user
    tablet = Client()
    login(tablet, "nora")
    second_step(tablet, totp_code(enrolled.secret, 1))
    assert logged_in_as(tablet) == "nora"
    device = two_factor.totp_device_of(nora)

    edit = admin_client.get(reverse("clinic:staff-edit", args=[nora.pk]))
    assert "Reset two-factor device" in edit.content.decode()
    url = reverse("clinic:staff-two-factor-reset", args=[nora.pk])
    response = admin_client.post(url, {"reason": "lost her phone on the bus"})
    assert response["Location"] == reverse("clinic:staff-edit", args=[nora.pk])

    why = "two-factor reset by ada: lost her phone on the bus"
    assert two_factor.totp_device_of(nora) is None
    assert two_factor.recovery_codes_left(nora) == 0
    assert nora.history.latest().history_change_reason == why
    assert nora.history.latest().history_user == admin_user
    removed = device.history.model.objects.filter(id=device.pk).latest("history_id")
    assert (removed.history_type, removed.history_change_reason) == ("-", why)
    # The account's history page shows it.
    page = admin_client.get(reverse("clinic:history", args=["auth", "user", nora.pk]))
    assert why in page.content.decode()
    # Her sessions ended; she logs in with the password alone until she enrols.
    assert logged_in_as(tablet) is None
    assert login(Client(), "nora")["Location"] == reverse("clinic:home")


def test_a_reset_without_a_reason_changes_nothing(admin_client, enrolled):
    nora = enrolled.user
    url = reverse("clinic:staff-two-factor-reset", args=[nora.pk])
    response = admin_client.post(url, {"reason": "   "})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert two_factor.totp_device_of(nora) is not None
    assert two_factor.recovery_codes_left(nora) == 10


def test_resetting_an_account_without_a_device_says_so(admin_client, nora):
    url = reverse("clinic:staff-two-factor-reset", args=[nora.pk])
    response = admin_client.post(url, {"reason": "just in case"}, follow=True)
    assert "This account has no two-factor device to reset." in (
        response.content.decode()
    )
    assert not nora.history.filter(
        history_change_reason__startswith="two-factor reset"
    ).exists()


def test_only_administrators_reset_devices(client, enrolled, make_user):
    client.force_login(make_user("Billing"))
    url = reverse("clinic:staff-two-factor-reset", args=[enrolled.user.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert two_factor.totp_device_of(enrolled.user) is not None


def test_device_secrets_and_recovery_codes_stay_out_of_history(enrolled):
    device = two_factor.totp_device_of(enrolled.user)
    history_fields = {f.name for f in device.history.model._meta.fields}
    assert "key" not in history_fields
    from django_otp.plugins.otp_static.models import StaticToken

    token = StaticToken.objects.filter(device__user=enrolled.user).first()
    assert "token" not in {f.name for f in token.history.model._meta.fields}
    # Log-ins update the device's counters without a history row each.
    before = device.history.count()
    client = Client()
    login(client, "nora")
    second_step(client, totp_code(enrolled.secret, 1))
    assert device.history.count() == before


def test_the_second_step_costs_a_bounded_number_of_queries(
    client, enrolled, django_assert_max_num_queries
):
    login(client, "nora")
    with django_assert_max_num_queries(40):
        assert second_step(client, totp_code(enrolled.secret, 1)).status_code == 302


def test_sessions_of_others_survive_a_reset(admin_client, enrolled, make_user):
    make_user("Nurse", username="olga")
    olga = Client()
    login(olga, "olga")
    url = reverse("clinic:staff-two-factor-reset", args=[enrolled.user.pk])
    admin_client.post(url, {"reason": "new phone"})
    assert logged_in_as(olga) == "olga"
