"""A visit's own link: who it opens for, what it shows, what it lets the patient
do, and that every refusal looks the same."""

import re
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from automations.models import Event
from automations.texts import render, text_context
from clinic.models import AccessLog
from scheduling.models import Appointment
from selfservice import links
from selfservice.views.links import LINK_NAME
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import reach_visit
from tests.selfservice.support import path_of, small_clinic, visit_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic():
    return small_clinic()


@pytest.fixture
def visit(clinic):
    return clinic.book()


def _refusals(client, visit, other):
    token = links.token_for(visit, purpose=links.VISIT)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    intake_token = links.token_for(visit, purpose=links.INTAKE)
    return {
        "forged": f"/my/visit/{visit.pk}/{forged}/",
        "another visit's": f"/my/visit/{other.pk}/{token}/",
        "an intake link's": f"/my/visit/{visit.pk}/{intake_token}/",
        "no such visit": f"/my/visit/999999/{token}/",
        "garbage": f"/my/visit/{visit.pk}/x/",
    }


def test_the_link_shows_first_name_time_place_and_provider_only(client, visit):
    response = client.get(visit_path(visit))
    assert response.status_code == 200
    page = response.content.decode()
    patient = visit.patient
    assert patient.given_name in page
    assert "Main Street Clinic" in page and "Dr Ada Lovelace" in page
    assert patient.family_name not in page
    assert patient.mrn not in page
    assert str(patient.birth_date.year) not in page


def test_every_refusal_is_the_same_page_that_names_nothing(client, clinic, visit):
    other = clinic.book(hour=11)
    pages = set()
    for what, path in _refusals(client, visit, other).items():
        response = client.get(path)
        assert response.status_code == 404, what
        assert visit.patient.given_name not in response.content.decode(), what
        pages.add(response.content)
    assert len(pages) == 1


def test_an_expired_link_is_refused_like_a_forged_one(client, visit, settings):
    forged = client.get(f"/my/visit/{visit.pk}/bad.token/")
    old = time.time() - 3 * 24 * 3600
    settings.SELF_SERVICE_LINK_MAX_DAYS = 2
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: old)
        stale = visit_path(visit)
    response = client.get(stale)
    assert response.status_code == 404
    assert response.content == forged.content


def test_a_link_stops_working_when_its_visit_starts(client, visit):
    path = visit_path(visit)
    assert client.get(path).status_code == 200
    reach_visit(visit, minutes_ago=1)
    assert client.get(path).status_code == 404


def test_opening_a_link_writes_an_access_log_row_for_its_patient(client, visit):
    client.get(visit_path(visit))
    row = AccessLog.objects.filter(username=LINK_NAME).get()
    assert row.patient_id == visit.patient_id
    assert row.user is None
    assert row.object_id == str(visit.pk)


def test_the_page_is_never_stored_and_loads_nothing_from_elsewhere(client, visit):
    response = client.get(visit_path(visit))
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    page = response.content.decode()
    addresses = re.findall(r'(?:src|href|action)="([^"]*)"', page)
    assert addresses and all(a.startswith("/") for a in addresses), addresses


def test_refused_links_from_one_address_are_rate_limited(client, visit, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _attempt in range(3):
        assert client.get(f"/my/visit/{visit.pk}/bad.token/").status_code == 404
    locked = client.get(visit_path(visit))
    assert locked.status_code == 429
    assert visit.patient.given_name not in locked.content.decode()
    # Another address is not locked.
    assert client.get(visit_path(visit), REMOTE_ADDR="10.9.9.9").status_code == 200


def test_a_valid_link_answers_only_so_many_requests_an_hour(client, visit, settings):
    settings.SELF_SERVICE_LINK_REQUESTS_PER_HOUR = 3
    answers = [client.get(visit_path(visit)).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    # The refused open showed nothing, so it is not in the access log.
    assert AccessLog.objects.filter(username=LINK_NAME).count() == 3
    # From another address too: the limit is the link's.
    assert client.get(visit_path(visit), REMOTE_ADDR="10.9.9.8").status_code == 429


def test_the_patient_confirms_their_visit(client, visit):
    response = client.post(visit_path(visit) + "confirm/", follow=True)
    assert "your visit is confirmed" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.CONFIRMED
    assert visit.confirmed_by is None


def test_cancelling_needs_a_reason_from_the_list(client, visit):
    response = client.post(
        visit_path(visit) + "cancel/", {"reason": "<script>"}, follow=True
    )
    assert response.status_code == 200
    assert "valid choice" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.SCHEDULED

    client.post(visit_path(visit) + "cancel/", {"reason": "better"})
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.CANCELLED
    assert visit.cancel_reason == "I feel better (self-service link)"
    assert Event.objects.filter(kind="link.cancelled", subject_id=str(visit.pk))


def test_the_patient_moves_the_visit_to_an_offered_time(client, visit):
    page = client.get(visit_path(visit)).content.decode()
    offered = page.split('name="start" id="slot-1" value="', 1)[1].split('"', 1)[0]
    response = client.post(visit_path(visit) + "move/", {"start": offered}, follow=True)
    assert "your visit is now on" in response.content.decode()
    visit.refresh_from_db()
    assert visit.start.isoformat() == offered
    assert visit.history.first().history_change_reason.endswith("via self-service link")
    assert Event.objects.filter(kind="link.rescheduled", subject_id=str(visit.pk))


@pytest.mark.parametrize("start", ["", "yesterday", "2020-01-01T09:00:00+00:00"])
def test_a_time_that_is_not_offered_is_refused(client, visit, start):
    before = visit.start
    response = client.post(visit_path(visit) + "move/", {"start": start}, follow=True)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    visit.refresh_from_db()
    assert visit.start == before


def test_a_cancelled_visit_offers_no_more_actions(client, visit):
    client.post(visit_path(visit) + "cancel/", {"reason": "other"})
    page = client.get(visit_path(visit)).content.decode()
    assert "Cancelled" in page and 'id="move"' not in page
    response = client.post(visit_path(visit) + "confirm/", follow=True)
    assert "can no longer be changed" in response.content.decode()


def test_the_link_placeholder_opens_the_visits_page(client, visit):
    text = render(
        "See {link}", text_context(patient=visit.patient, visit=visit, language="en")
    )
    url = text.removeprefix("See ")
    assert client.get(path_of(url)).status_code == 200


def test_a_link_made_for_one_patient_fails_once_the_visit_is_anothers(client, visit):
    path = visit_path(visit)
    Appointment.objects.filter(pk=visit.pk).update(patient=PatientFactory())
    assert client.get(path).status_code == 404


def test_tokens_are_checked_against_the_visits_start(visit):
    token = links.token_for(visit, purpose=links.VISIT)
    assert links.token_valid(visit, token, purpose=links.VISIT)
    later = visit.start + timedelta(seconds=1)
    assert not links.token_valid(visit, token, purpose=links.VISIT, now=later)
    assert timezone.now() < visit.start
