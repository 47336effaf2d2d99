"""Issue #18 item 6: the clinician's day on their home page: today's patients with
where each visit stands, results to review (critical first) and orders still
waiting, and their tasks, each leading to its page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.services import alert_raise
from diagnostics import services as diagnostics_services
from diagnostics.models import TestDefinition
from tests.diagnostics.factories import make_order
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import AppointmentFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def test_the_clinicians_home_lists_their_day(client, make_user):
    doctor = make_user("Clinician", first_name="Cal", last_name="Ordway")
    mine = ProviderFactory(user=doctor)
    now = timezone.localtime()
    ada = PatientFactory(given_name="Ada", family_name="Lovelace")
    visit = AppointmentFactory(
        patient=ada, provider=mine, start=now, end=now + timedelta(minutes=20)
    )
    AppointmentFactory(  # another clinician's patient, same time
        patient=PatientFactory(given_name="Other", family_name="Person"),
        start=now,
        end=now + timedelta(minutes=20),
    )
    critical = make_order(actor=doctor, panels=(), tests=("GLU",))
    [glucose] = diagnostics_services.results_enter(
        order=critical,
        values={TestDefinition.objects.get(code="GLU"): "38"},
        actor=make_user("Nurse"),
    )
    routine = make_order(actor=doctor, panels=(), tests=("GLU",))
    diagnostics_services.results_enter(
        order=routine,
        values={TestDefinition.objects.get(code="GLU"): "95"},
        actor=make_user("Nurse"),
    )
    waiting = make_order(actor=doctor, panels=(), tests=("GLU",))
    alert_raise(kind="task", title="Call the pharmacy", user=doctor, patient=ada)

    client.force_login(doctor)
    page = client.get(reverse("clinic:home")).content.decode()

    assert "My patients today" in page and "Lovelace, Ada" in page
    assert "Person" not in page  # only the signed-in clinician's visits
    assert reverse("scheduling:appointment-detail", args=[visit.pk]) in page
    review = page[page.index('id="review-list"') :]
    critical_link = reverse("diagnostics:observation-acknowledge", args=[glucose.pk])
    routine_link = reverse("diagnostics:order-review", args=[routine.pk])
    assert review.index(critical_link) < review.index(routine_link)  # critical first
    assert "1 order of yours is still waiting" in page
    assert waiting.status == "ordered"
    assert "Call the pharmacy" in page and 'id="my-tasks"' in page


def test_a_clinician_without_a_provider_record_still_gets_a_home(client, make_user):
    client.force_login(make_user("Clinician"))
    page = client.get(reverse("clinic:home"))
    assert page.status_code == 200
    assert "My patients today" not in page.content.decode()
