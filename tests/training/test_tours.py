"""Guided tours: "Show me how" opens the role's tour, progress is remembered."""

import json

import pytest
from django.urls import reverse

from clinic.permissions import ROLES
from training.models import TourProgress
from training.tours import TOURS, tour_for_role

pytestmark = pytest.mark.django_db


def _tour_block(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="tour-steps" type="application/json">')
    body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)


def test_every_role_has_a_tour():
    assert [tour_for_role(role).role for role in ROLES] == ROLES


def test_show_me_how_plays_the_roles_tour_and_resumes_after_the_last_step_seen(
    client, make_user
):
    nurse = make_user("Nurse")
    client.force_login(nurse)
    home = client.get(reverse("clinic:home"))
    assert b'id="show-me-how" href="/?tour=nurse"' in home.content
    assert b"tour-steps" not in home.content

    block = _tour_block(client.get("/", {"tour": "nurse"}))
    assert block["startAt"] == 0
    assert len(block["steps"]) == len(TOURS["nurse"].steps)
    progress_url = reverse("training:tour-progress", args=["nurse"])
    assert client.post(progress_url, {"step": "1"}).status_code == 204
    assert _tour_block(client.get("/", {"tour": "nurse"}))["startAt"] == 2

    last = len(TOURS["nurse"].steps) - 1
    assert client.post(progress_url, {"step": last, "done": "1"}).status_code == 204
    row = TourProgress.objects.get(user=nurse, tour="nurse")
    assert row.completed_at is not None
    assert _tour_block(client.get("/", {"tour": "nurse"}))["startAt"] == 0


@pytest.mark.parametrize(
    ("slug", "step"), [("nurse", "99"), ("nurse", "x"), ("nurse", ""), ("nope", "0")]
)
def test_bad_progress_is_refused_and_records_nothing(client, make_user, slug, step):
    client.force_login(make_user("Nurse"))
    url = reverse("training:tour-progress", args=[slug])
    assert client.post(url, {"step": step}).status_code == 400
    assert not TourProgress.objects.exists()
