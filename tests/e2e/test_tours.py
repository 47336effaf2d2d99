"""Each role's tour plays on its page, every step on an element that exists."""

import pytest

from clinic.permissions import ROLES
from tests.e2e.test_roles import _log_in
from training.tours import tour_for_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_plays_its_tour_to_the_end(page, make_user, role):
    make_user(role, username="learner")
    _log_in(page, "learner")
    tour = tour_for_role(role)

    page.get_by_role("link", name="Show me how").click()
    page.wait_for_load_state()
    for index, (selector, title, _text) in enumerate(tour.steps):
        assert page.locator(selector).count() >= 1, f"{role} step {index}: {selector}"
        page.wait_for_selector(f'body[data-tour-step="{index}"]')
        assert page.locator(".driver-popover-title").inner_text() == str(title)
        page.locator(".driver-popover-next-btn").click()
    page.wait_for_selector(".driver-popover", state="detached")
    assert page.console_errors == [], "no CSP violation or script error"
