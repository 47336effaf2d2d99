"""Issue #18 item 5: defaults a person expects on the schedule pages (the
clinician's own week, verbs on buttons, a finished visit that says so)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_week_view_opens_on_the_clinicians_own_week(client, make_user):
    from tests.scheduling.factories import ProviderFactory

    ProviderFactory(name="Dr Aardvark")  # first by name: the default for others
    doctor = make_user("Clinician")
    own = ProviderFactory(name="Dr Own", user=doctor)
    client.force_login(doctor)
    response = client.get(reverse("scheduling:week"))
    assert response.status_code == 200
    assert response.context["subject"] == own
    assert response.context["filter_form"]["provider"].value() == str(own.pk)

    client.force_login(make_user("Front desk"))
    response = client.get(reverse("scheduling:week"))
    assert response.context["subject"].name == "Dr Aardvark"  # never a blank week


def test_visit_buttons_are_verbs_and_a_finished_visit_says_so(client, make_user):
    from tests.scheduling.factories import AppointmentFactory

    client.force_login(make_user("Front desk"))
    upcoming = AppointmentFactory()
    page = client.get(
        reverse("scheduling:appointment-detail", args=[upcoming.pk])
    ).content.decode()
    assert ">Confirm</button>" in page and ">Confirmed</button>" not in page
    assert 'id="visit-finished"' not in page

    done = AppointmentFactory(status="completed")
    page = client.get(
        reverse("scheduling:appointment-detail", args=[done.pk])
    ).content.decode()
    assert 'id="visit-finished"' in page and "This visit is completed" in page
    assert ">Actions</h2>" not in page
