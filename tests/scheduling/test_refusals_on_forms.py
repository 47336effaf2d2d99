"""#17: a service's refusal on a form page stays on the form with what was typed
(clinic.edges.ServiceFormMixin), where it used to redirect with a message."""

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling.models import Appointment
from tests.scheduling.factories import AppointmentFactory

pytestmark = pytest.mark.django_db
S = Appointment.Status


@pytest.fixture
def frontdesk(client, make_user):
    client.force_login(make_user("Front desk"))
    return client


def test_cancelling_a_completed_visit_is_refused_on_the_form_with_the_reason_kept(
    frontdesk,
):
    visit = AppointmentFactory(status=S.COMPLETED, completed_at=timezone.now())
    url = reverse("scheduling:appointment-cancel", args=[visit.pk])
    response = frontdesk.post(url, {"reason": "Patient phoned at 8:05"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors() == [
        "A visit that is Completed cannot become Cancelled."
    ]
    assert 'value="Patient phoned at 8:05"' in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == S.COMPLETED


def test_a_waitlist_entry_the_model_refuses_comes_back_on_its_form(
    frontdesk, monkeypatch
):
    """A refusal from waitlist_add's full_clean is the form's, never a 500."""
    from django.core.exceptions import ValidationError

    from scheduling import services
    from tests.registration.factories import PatientFactory
    from tests.scheduling.factories import AppointmentTypeFactory

    def refuse(**fields):
        raise ValidationError({"until": "The date is too far ahead."})

    monkeypatch.setattr(services, "waitlist_add", refuse)
    patient = PatientFactory()
    kind = AppointmentTypeFactory()
    response = frontdesk.post(
        reverse("scheduling:waitlist-add"),
        {
            "patient": patient.mrn,
            "patient_shown": patient.mrn,
            "appointment_type": kind.pk,
            "until": "2099-01-01",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["until"] == ["The date is too far ahead."]
