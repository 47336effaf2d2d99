"""Where the diagnostics alerts lead (issue #18): each one's link answers 200 to
the clinician it is for, on the form that does the work."""

import pytest
from django.urls import reverse

from alerts.models import StaffAlert
from diagnostics import services
from diagnostics.models import TestDefinition
from tests.diagnostics.factories import clinician, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def resulted(make_user):
    doctor = clinician()
    order = make_order(actor=doctor, panels=(), tests=("HGB",))
    nurse = make_user("Nurse")
    services.specimen_collect(order=order, specimen_types=["blood"], actor=nurse)
    services.order_send_to_lab(order=order, actor=nurse)
    services.results_enter(
        order=order, values={TestDefinition.objects.get(code="HGB"): "6.0"}, actor=nurse
    )
    return doctor, order


def _acknowledge_url(alert) -> str:
    return reverse(
        "diagnostics:observation-acknowledge", kwargs={"pk": alert.subject.pk}
    )


def test_a_critical_result_alert_opens_its_acknowledge_form(client, resulted):
    doctor, order = resulted
    alert = StaffAlert.objects.get(kind="critical_result")
    assert alert.assigned_user == doctor
    url = reverse(
        "diagnostics:observation-acknowledge", kwargs={"pk": alert.subject.pk}
    )
    client.force_login(doctor)
    page = client.get(url)
    assert page.status_code == 200
    assert "action_taken" in page.context["form"].fields
    assert "Acknowledge critical result" in page.content.decode()


def test_a_result_to_review_alert_opens_the_sign_off_form(client, resulted):
    doctor, order = resulted
    alert = StaffAlert.objects.get(kind="result_to_review")
    assert (alert.assigned_user, alert.subject) == (doctor, order)
    client.force_login(doctor)
    page = client.get(reverse("diagnostics:order-review", kwargs={"pk": order.pk}))
    assert page.status_code == 200
    assert "Sign off results" in page.content.decode()


def test_the_escalated_critical_alert_opens_for_any_clinician(client, resulted):
    """``critical_result`` escalates to the Clinician role: another clinician
    may acknowledge it too."""
    _doctor, _order = resulted
    alert = StaffAlert.objects.get(kind="critical_result")
    client.force_login(clinician())
    url = reverse(
        "diagnostics:observation-acknowledge", kwargs={"pk": alert.subject.pk}
    )
    assert client.get(url).status_code == 200
