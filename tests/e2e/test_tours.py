"""Each role's tour plays across the pages of its workflow, every step on an
element that exists."""

import pytest
from django.urls import reverse

from clinic.permissions import ROLES
from tests.e2e.test_roles import _log_in
from training.tours import tour_for_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_plays_its_tour_across_its_pages(page, make_user, role):
    make_user(role, username="learner")
    _log_in(page, "learner")
    tour = tour_for_role(role)

    page.get_by_role("link", name="Show me how").click()
    for index, step in enumerate(tour.steps):
        page.wait_for_selector(f'body[data-tour-step="{index}"]')
        assert page.url.split("?")[0].endswith(reverse(step.page)), (role, index)
        assert page.locator(step.selector).count() >= 1, f"{role} {index}: {step.key}"
        assert page.locator(".driver-popover-title").inner_text() == str(step.title)
        page.locator(".driver-popover-next-btn").click()
    page.wait_for_selector(".driver-popover", state="detached")
    assert page.console_errors == [], "no CSP violation or script error"
