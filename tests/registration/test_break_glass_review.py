"""The administrators' report of break-glass access, with the pages each opened,
and its sign-off."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from alerts.models import StaffAlert
from registration import breakglass
from registration.models import BreakGlassGrant
from tests.registration.factories import MARKER

pytestmark = pytest.mark.django_db


def test_the_report_lists_each_grant_with_the_pages_opened(
    client, make_user, restricted
):
    nurse, admin = make_user("Nurse", username="nina"), make_user("Administrator")
    client.force_login(nurse)
    glass = reverse("registration:break-glass", args=[restricted.pk])
    client.post(
        glass, {"reason": "covering", "reason_text": "for Sam", "confirm": "on"}
    )
    client.get(reverse("registration:patient-chart", args=[restricted.pk]))
    client.get(reverse("medications:patient-mar", args=[restricted.pk]))
    grant = BreakGlassGrant.objects.get()
    client.force_login(admin)
    page = client.get(reverse("clinic:report", args=["restricted-access"]))
    assert page.status_code == 200
    [row] = page.context["table"]
    assert row[2:8] == [
        "nina",
        restricted.mrn,
        f"{MARKER}, Ann",
        "Covering for a colleague",
        "for Sam",
        "2",
    ]
    assert row[8].endswith(" chart; " + row[8].split("; ")[1])
    assert "patient MAR" in row[8]
    assert row[-1] == str(grant.pk)
    csv = b"".join(
        client.get(
            reverse("clinic:report-csv", args=["restricted-access"])
        ).streaming_content
    ).decode()
    assert f"nina,{restricted.mrn}," in csv and "patient MAR" in csv


def test_an_administrator_signs_off_a_batch_with_a_note(make_user, restricted):
    nurse, desk = make_user("Nurse"), make_user("Front desk")
    admin = make_user("Administrator")
    first = breakglass.break_glass(
        patient=restricted, reason="emergency", reason_text="fall", actor=nurse
    )
    second = breakglass.break_glass(
        patient=restricted, reason="operations", reason_text="rebook", actor=desk
    )
    assert (
        breakglass.grants_sign_off(
            grant_ids=[str(first.pk), str(second.pk)],
            note="Both on duty, justified",
            actor=admin,
        )
        == 2
    )
    for grant in (first, second):
        grant.refresh_from_db()
        assert (grant.reviewed_by, grant.review_note) == (
            admin,
            "Both on duty, justified",
        )
        assert grant.reviewed_at is not None
        latest = grant.history.latest()
        assert latest.history_change_reason == "signed off: Both on duty, justified"
        assert latest.history_user == admin
    assert set(
        StaffAlert.objects.filter(kind="break_glass").values_list("status", flat=True)
    ) == {"resolved"}


def test_a_bad_sign_off_signs_nothing(make_user, restricted):
    nurse, admin = make_user("Nurse"), make_user("Administrator")
    own = breakglass.break_glass(
        patient=restricted, reason="other", reason_text="checking", actor=admin
    )
    theirs = breakglass.break_glass(
        patient=restricted, reason="emergency", reason_text="fall", actor=nurse
    )
    with pytest.raises(breakglass.SignOffRefused) as refused:
        breakglass.grants_sign_off(
            grant_ids=[theirs.pk, own.pk], note="fine", actor=admin
        )
    assert refused.value.message == (
        f"Access #{own.pk} is your own; another administrator signs it off. "
        "Nothing was signed."
    )
    with pytest.raises(ValidationError):
        breakglass.grants_sign_off(grant_ids=[theirs.pk], note=" ", actor=admin)
    with pytest.raises(ValidationError):
        breakglass.grants_sign_off(grant_ids=["x"], note="fine", actor=admin)
    with pytest.raises(breakglass.SignOffRefused):
        breakglass.grants_sign_off(grant_ids=[theirs.pk], note="fine", actor=nurse)
    assert not BreakGlassGrant.objects.filter(reviewed_at__isnull=False).exists()
    breakglass.grants_sign_off(grant_ids=[theirs.pk], note="fine", actor=admin)
    with pytest.raises(breakglass.SignOffRefused):
        breakglass.grants_sign_off(grant_ids=[theirs.pk], note="again", actor=admin)
    theirs.refresh_from_db()
    assert theirs.review_note == "fine"


def test_the_sign_off_page_signs_the_chosen_rows(client, make_user, restricted):
    nurse, admin = make_user("Nurse"), make_user("Administrator")
    grant = breakglass.break_glass(
        patient=restricted, reason="emergency", reason_text="fall", actor=nurse
    )
    client.force_login(admin)
    url = reverse("registration:restricted-access-review")
    page = client.get(url)
    assert page.status_code == 200
    assert f'value="{grant.pk}"' in page.content.decode()
    missing = client.post(url, {"grants": [grant.pk], "note": ""})
    assert missing.status_code == 200
    assert "This field is required." in missing.content.decode()
    none = client.post(url, {"note": "ok"})
    assert "Choose at least one access to sign off." in none.content.decode()
    grant.refresh_from_db()
    assert grant.reviewed_at is None
    done = client.post(url, {"grants": [grant.pk], "note": "justified"})
    assert done.status_code == 302
    grant.refresh_from_db()
    assert (grant.reviewed_by, grant.review_note) == (admin, "justified")
    reviewed = client.get(url, {"status": "reviewed"}).content.decode()
    assert "justified" in reviewed
