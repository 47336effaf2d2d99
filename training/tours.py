"""One guided tour per role: the steps of its main workflow, each pointing at an
element of the page the tour plays on. The steps reach the browser as a JSON data
block (``json_script``), read by ``static/js/tours.js``; no inline script."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from clinic.permissions import (
    ADMINISTRATOR,
    BILLING,
    CLINICIAN,
    FRONT_DESK,
    NURSE,
)


@dataclass(frozen=True)
class Tour:
    slug: str
    role: str
    page: str  # the URL name it plays on
    steps: tuple[tuple[str, str, str], ...]  # (CSS selector, title, text)


def _nav(path: str) -> str:
    return f'#nav-main a.nav-link[href="{path}"]'


HELP_STEP = (
    "#help-toggle",
    _("Help on every page"),
    _("What the page is for, what each status means and what to do when it refuses."),
)

TOURS = {
    t.slug: t
    for t in (
        Tour(
            "front-desk",
            FRONT_DESK,
            "clinic:home",
            (
                (
                    "#header-patient-search",
                    _("Find a patient"),
                    _("Type a name, MRN or date of birth; pick the patient to open."),
                ),
                (
                    _nav("/patients/"),
                    _("Register"),
                    _("No match? Register on one page; duplicates are shown first."),
                ),
                (
                    _nav("/schedule/"),
                    _("Book and check in"),
                    _("Find a slot, book it by MRN, check the patient in on the day."),
                ),
                HELP_STEP,
            ),
        ),
        Tour(
            "nurse",
            NURSE,
            "clinic:home",
            (
                (
                    _nav("/mar/"),
                    _("Unit MAR"),
                    _("Doses due, due soon and overdue on your unit, hour by hour."),
                ),
                (
                    "#header-patient-search",
                    _("Open the patient"),
                    _("Or scan the wristband on the MAR page."),
                ),
                (
                    _nav("/mar/"),
                    _("Give or hold"),
                    _("Scan wristband and medication; hold or refused needs a reason."),
                ),
                HELP_STEP,
            ),
        ),
        Tour(
            "clinician",
            CLINICIAN,
            "clinic:home",
            (
                (
                    _nav("/diagnostics/"),
                    _("Review results"),
                    _("Your results to review, STAT first."),
                ),
                (
                    "#open-alert-count",
                    _("Acknowledge critical results"),
                    _("A critical result waits here until you say what was done."),
                ),
                HELP_STEP,
            ),
        ),
        Tour(
            "billing",
            BILLING,
            "clinic:home",
            (
                (
                    _nav("/billing/claims/"),
                    _("Charges to claim"),
                    _("Review the charges of completed visits, then create the claim."),
                ),
                (
                    _nav("/billing/claims/"),
                    _("Submit and post"),
                    _("Send ready claims in a batch; post the 835 remittance."),
                ),
                HELP_STEP,
            ),
        ),
        Tour(
            "administrator",
            ADMINISTRATOR,
            "clinic:home",
            (
                (
                    _nav("/automations/"),
                    _("Automations"),
                    _("Copy a starter from the library; it starts off."),
                ),
                (
                    _nav("/automations/"),
                    _("Dry run, then switch on"),
                    _("See what it would have done over 30 days, then switch it on."),
                ),
                (
                    _nav("/reports/"),
                    _("Metrics"),
                    _("Each automation's effect, and the pain-point dashboard."),
                ),
                HELP_STEP,
            ),
        ),
    )
}


def tour_for_role(role: str | None) -> Tour | None:
    return next((t for t in TOURS.values() if t.role == role), None)


def tour_data(tour: Tour, *, start_at: int, progress_url: str) -> dict:
    """What tours.js reads: the steps, where to resume, where to record progress."""
    return {
        "slug": tour.slug,
        "startAt": start_at,
        "progressUrl": progress_url,
        "steps": [
            {"element": sel, "title": str(title), "text": str(text)}
            for sel, title, text in tour.steps
        ],
    }
