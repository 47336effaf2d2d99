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


def test_show_me_how_plays_the_roles_tour_page_by_page_and_resumes(client, make_user):
    nurse = make_user("Nurse")
    client.force_login(nurse)
    mar, scan = reverse("medications:mar"), reverse("medications:scan")
    start = reverse("training:tour-start", args=["nurse"])
    home = client.get(reverse("clinic:home"))
    assert f'id="show-me-how" href="{start}"'.encode() in home.content
    assert b"tour-steps" not in home.content
    assert client.get(start)["Location"] == f"{mar}?tour=nurse"
    assert b"tour-steps" not in client.get(mar).content  # only when asked

    block = _tour_block(client.get(mar, {"tour": "nurse"}))
    assert block["startAt"] == 0
    assert [s["index"] for s in block["steps"]] == [0, 1]
    assert block["steps"][0]["element"] == '[data-tour="mar-unit"]'
    assert block["nextUrl"] == f"{scan}?tour=nurse"
    assert block["total"] == len(TOURS["nurse"].steps)
    last_page = _tour_block(client.get(scan, {"tour": "nurse"}))
    assert [s["index"] for s in last_page["steps"]] == [2, 3]
    assert last_page["nextUrl"] == ""

    progress_url = reverse("training:tour-progress", args=["nurse"])
    assert client.post(progress_url, {"step": "1"}).status_code == 204
    assert client.get(start)["Location"] == f"{scan}?tour=nurse"  # resumes there
    assert _tour_block(client.get(scan, {"tour": "nurse"}))["startAt"] == 0

    last = len(TOURS["nurse"].steps) - 1
    assert client.post(progress_url, {"step": last, "done": "1"}).status_code == 204
    row = TourProgress.objects.get(user=nurse, tour="nurse")
    assert row.completed_at is not None
    assert _tour_block(client.get(mar, {"tour": "nurse"}))["startAt"] == 0


@pytest.mark.parametrize("role", ROLES)
def test_every_tour_page_opens_for_its_role_and_marks_each_step(
    client, make_user, role
):
    """The static half of the Playwright test: each page of the tour opens for
    the role and carries every element its steps point at."""
    client.force_login(make_user(role))
    tour = tour_for_role(role)
    assert len(tour.pages()) >= 2, "a tour crosses the pages of its workflow"
    for page in tour.pages():
        html = client.get(reverse(page), {"tour": tour.slug}).content.decode()
        for step in tour.steps:
            if step.page == page:
                assert f'data-tour="{step.key}"' in html, (page, step.key)


def test_an_unknown_tour_is_not_found(client, make_user):
    client.force_login(make_user("Nurse"))
    assert client.get(reverse("training:tour-start", args=["nope"])).status_code == 404


@pytest.mark.parametrize(
    ("slug", "step"), [("nurse", "99"), ("nurse", "x"), ("nurse", ""), ("nope", "0")]
)
def test_bad_progress_is_refused_and_records_nothing(client, make_user, slug, step):
    client.force_login(make_user("Nurse"))
    url = reverse("training:tour-progress", args=[slug])
    assert client.post(url, {"step": step}).status_code == 400
    assert not TourProgress.objects.exists()
