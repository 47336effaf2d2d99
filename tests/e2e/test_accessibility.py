"""Issue #18 item 4: accessible by test.

axe-core (the copy bundled by axe-playwright-python) runs in the real browser on
the main page of every role and on the forms staff use most, against the WCAG 2.1
A and AA rules; any serious or critical violation fails, named with the page, the
rule and the first elements it found. The patient MAR and the give-dose form must
also work on a 390 px phone: nothing of the page wider than the screen, Give and
Hold within it.
"""

from io import StringIO
from pathlib import Path

import axe_playwright_python
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE_JS = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
FAILING_IMPACTS = {"serious", "critical"}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


DEMO_PASSWORD = "clinicops-demo-passphrase"


@pytest.fixture
def axe_page(browser, live_server):
    """A page whose context lets the test inject axe (the app's CSP refuses inline
    scripts, rightly)."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, bypass_csp=True
    )
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


def _log_in(page, username):
    page.goto(page.base_url + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "/login/" not in page.url, f"{username} logged in"


def _violations(page) -> list[str]:
    page.add_script_tag(content=AXE_JS)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    found = []
    for violation in result["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        targets = [
            " ".join(node["target"])
            + (f" ({node['any'][0]['message']})" if node.get("any") else "")
            for node in violation["nodes"][:3]
        ]
        found.append(
            f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])}"
            f" elements): {violation['help']} e.g. {targets}"
        )
    return found


def _demo_pages():
    """(user, url) for each role's main page and the forms named in the issue,
    resolved against the seeded demo clinic."""
    from billing.models import Claim
    from careplans.models import CarePlan
    from medications.models import ScheduledDose
    from registration.models import Patient
    from scheduling.models import Appointment
    from smart.models import BackendClient

    dose = (
        ScheduledDose.objects.filter(status=ScheduledDose.Status.SCHEDULED)
        .select_related("order")
        .order_by("due_at")
        .first()
    )
    patient = dose.order.patient
    claim = Claim.objects.order_by("pk").first()
    visit = Appointment.objects.filter(status=Appointment.Status.COMPLETED).first()
    any_patient = Patient.objects.order_by("pk").first()
    coming = Appointment.objects.filter(start__gte=timezone.now()).earliest("start")
    coming_day = timezone.localdate(coming.start).isoformat()
    pages = [
        ("frontdesk", reverse("clinic:home")),
        ("frontdesk", reverse("registration:patient-list") + "?q=a"),
        ("frontdesk", reverse("registration:patient-create")),
        ("frontdesk", reverse("registration:patient-chart", args=[any_patient.pk])),
        ("frontdesk", reverse("scheduling:day")),
        ("frontdesk", reverse("scheduling:week")),
        # Today may be a weekend: the schedule of the next visit's day has chips
        # (with their insurance marks) whatever day the suite runs.
        ("frontdesk", reverse("scheduling:day") + f"?date={coming_day}"),
        ("frontdesk", reverse("scheduling:week") + f"?date={coming_day}"),
        ("frontdesk", reverse("scheduling:find")),
        ("frontdesk", reverse("alerts:inbox")),
        ("nurse", reverse("clinic:home")),
        ("nurse", reverse("medications:mar")),
        ("nurse", reverse("medications:patient-mar", args=[patient.pk])),
        ("nurse", reverse("medications:dose-give", args=[dose.pk])),
        ("clinician", reverse("clinic:home")),
        ("clinician", reverse("diagnostics:review-list")),
        ("clinician", reverse("diagnostics:order-create")),
        ("clinician", reverse("medications:order-create", args=[patient.pk])),
        ("billing", reverse("clinic:home")),
        ("billing", reverse("billing:claim-list")),
        ("billing", reverse("billing:visit-list")),
        ("billing", reverse("billing:submit-review")),
        ("admin", reverse("clinic:home")),
        ("admin", reverse("clinic:staff-list")),
        ("admin", reverse("clinic:reports")),
        ("admin", reverse("automations:list")),
        ("admin", reverse("smart:client-list")),
        ("admin", reverse("smart:client-create")),
        ("admin", BackendClient.objects.get(name="Demo EHR").get_absolute_url()),
    ]
    plan = CarePlan.objects.order_by("pk").first()
    if plan is not None:
        pages += [
            ("clinician", reverse("careplans:plan", args=[plan.pk])),
            ("clinician", reverse("careplans:problems", args=[plan.patient_id])),
            ("nurse", reverse("medications:home-list", args=[plan.patient_id])),
        ]
    if claim is not None:
        pages.append(("billing", reverse("billing:claim-detail", args=[claim.pk])))
    if visit is not None:
        pages.append(("billing", reverse("billing:visit-charges", args=[visit.pk])))
    return pages, patient, dose


@pytest.fixture
def demo_clinic():
    from diagnostics.catalogue import catalogue_load
    from diagnostics.models import Panel, ReferenceRange, TestDefinition

    # Transactional tests empty every table afterwards, the migrated catalogue too.
    if not TestDefinition.objects.exists():
        catalogue_load(
            test_model=TestDefinition, range_model=ReferenceRange, panel_model=Panel
        )
    call_command(
        "seed_demo", "--patients", "12", "--days", "2", "--seed", "7", stdout=StringIO()
    )
    return _demo_pages()


def test_no_serious_accessibility_violation_on_the_pages_staff_use(
    axe_page, demo_clinic
):
    page = axe_page
    pages, _patient, _dose = demo_clinic
    failures = {}
    user = None
    for username, url in pages:
        if username != user:
            page.context.clear_cookies()
            _log_in(page, username)
            user = username
        response = page.goto(page.base_url + url)
        assert response.status == 200, f"{username} {url}: {response.status}"
        found = _violations(page)
        if found:
            failures[f"{username} {url}"] = found
    assert failures == {}, "\n".join(
        f"{where}:\n  " + "\n  ".join(found) for where, found in failures.items()
    )


def test_axe_finds_a_violation_when_there_is_one(axe_page):
    """The check can fail: a page with an unlabelled input and grey-on-grey text."""
    page = axe_page
    page.goto(page.base_url + "/login/")
    page.evaluate(
        """() => {
        const p = document.createElement('p');
        p.textContent = 'faint'; p.style.color = '#bbb'; p.style.background = '#ccc';
        document.body.appendChild(p);
        document.body.appendChild(document.createElement('input'));
    }"""
    )
    found = " ".join(_violations(page))
    assert "color-contrast" in found and "label" in found


def test_the_bedside_pages_fit_a_phone(browser, live_server, demo_clinic):
    _pages, patient, dose = demo_clinic
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.base_url = live_server.url
    try:
        _log_in(phone, "nurse")
        for which, url in (
            ("patient MAR", reverse("medications:patient-mar", args=[patient.pk])),
            ("give dose", reverse("medications:dose-give", args=[dose.pk])),
        ):
            _fits(phone, which, live_server.url + url)
    finally:
        context.close()


def _fits(phone, which, url):
    phone.goto(url)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{which} is {width} px wide on a 390 px screen"
    buttons = phone.locator("main a.btn, main button.btn")
    for index in range(buttons.count()):
        button = buttons.nth(index)
        if not button.is_visible():
            continue
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (
            f"{which}: '{button.inner_text()}' is off-screen at x={box['x']}"
        )
