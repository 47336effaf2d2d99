"""The self-service events and the "no intake 48 h before" starter."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import Notification
from automations.dryrun import dry_run
from automations.engine.batches import event_process
from automations.models import Action, Event
from automations.services import automation_enable
from automations.starters import BY_SLUG, build_starter
from clinic.dispatch import SWEEPERS
from scheduling.models import Appointment
from selfservice.services import intake_submit
from selfservice.sweepers import intakes_missing
from tests.selfservice.support import small_clinic

pytestmark = pytest.mark.django_db


@pytest.fixture
def soon_visit():
    clinic = small_clinic()
    visit = clinic.book()
    start = timezone.now() + timedelta(hours=30)
    Appointment.objects.filter(pk=visit.pk).update(
        start=start, end=start + timedelta(minutes=30)
    )
    visit.refresh_from_db()
    return visit, clinic


def test_the_sweeper_is_listed_and_publishes_once_per_visit(soon_visit):
    visit, clinic = soon_visit
    clinic.book(hour=15, weeks_ahead=3)  # another new patient, far off
    sent = clinic.book(hour=11)  # a third, whose intake came in
    start = visit.start + timedelta(hours=1)
    Appointment.objects.filter(pk=sent.pk).update(
        start=start, end=start + timedelta(minutes=30)
    )
    intake_submit(appointment=sent, proposed={}, cards={})
    assert "selfservice.sweepers.intakes_missing" in SWEEPERS
    assert intakes_missing(timezone.now()) == 1
    assert intakes_missing(timezone.now()) == 0
    event = Event.objects.get(kind="intake.missing")
    assert event.subject_id == str(visit.pk) and event.patient_id == visit.patient_id
    assert Event.objects.filter(kind="intake.missing").count() == 1


def test_the_starter_texts_the_link_again_and_its_dry_run_shows_it(
    soon_visit, make_user
):
    visit, _clinic = soon_visit
    admin = make_user("Administrator")
    automation = build_starter(BY_SLUG["intake-missing-48h"], actor=admin)
    automation_enable(automation=automation, actor=admin)
    intakes_missing(timezone.now())
    event = Event.objects.get(kind="intake.missing")

    preview = dry_run(automation=automation, end=timezone.now() + timedelta(minutes=1))
    assert preview.matched == 1
    assert dict(preview.totals) == {Action.Kind.SEND_MESSAGE: 1}

    event_process(event_id=event.pk)
    texts = Notification.objects.filter(patient=visit.patient).order_by("pk")
    assert texts.count() == 1
    assert "/my/intake/" in texts.get().body


def test_the_booking_confirmation_starter_carries_the_visits_link(make_user):
    body = BY_SLUG["booking-confirmation"]["actions"][0]["body"]
    assert "{link}" in body
