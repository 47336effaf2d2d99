"""One guided tour per role: its main workflow, page after page. Each step points
at an element of its page marked ``data-tour="<key>"`` in the page's template; the
last step of a page leads on to the next page (``?tour=<slug>``), where the tour
goes on. A page's steps reach the browser as a JSON data block (``json_script``),
read by ``static/js/tours.js``; no inline script."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clinic.permissions import (
    ADMINISTRATOR,
    BILLING,
    CLINICIAN,
    FRONT_DESK,
    NURSE,
)


@dataclass(frozen=True)
class Step:
    page: str  # the URL name of the page it plays on (no arguments)
    key: str  # the ``data-tour`` value of the element it points at
    title: str
    text: str

    @property
    def selector(self) -> str:
        return f'[data-tour="{self.key}"]'


@dataclass(frozen=True)
class Tour:
    slug: str
    role: str
    steps: tuple[Step, ...]

    def pages(self) -> list[str]:
        """The tour's pages in order, each once."""
        return list(dict.fromkeys(step.page for step in self.steps))


def _help(page: str) -> Step:
    return Step(
        page,
        "help",
        _("Help on every page"),
        _("What the page is for, what each status means, what to do when it refuses."),
    )


TOURS = {
    t.slug: t
    for t in (
        Tour(
            "front-desk",
            FRONT_DESK,
            (
                Step(
                    "clinic:home",
                    "find-patient",
                    _("Find a patient"),
                    _("Type a name, MRN or date of birth; pick the patient to open."),
                ),
                Step(
                    "registration:patient-create",
                    "register",
                    _("Register"),
                    _("No match? Register here; likely duplicates are shown first."),
                ),
                Step(
                    "scheduling:find",
                    "find-slot",
                    _("Book"),
                    _("Find a free time by type, provider and day, then book it."),
                ),
                Step(
                    "scheduling:today",
                    "check-in",
                    _("Check in"),
                    _("Today's expected patients: check each one in on arrival."),
                ),
                _help("scheduling:today"),
            ),
        ),
        Tour(
            "nurse",
            NURSE,
            (
                Step(
                    "medications:mar",
                    "mar-unit",
                    _("Unit MAR"),
                    _("Pick your unit: doses due, due soon and overdue, hour by hour."),
                ),
                Step(
                    "medications:mar",
                    "mar-scan",
                    _("Scan the wristband"),
                    _("Scan the patient's wristband to open their doses."),
                ),
                Step(
                    "medications:scan",
                    "give-or-hold",
                    _("Give or hold"),
                    _("Scan wristband and drug to give; a hold needs a reason."),
                ),
                _help("medications:scan"),
            ),
        ),
        Tour(
            "clinician",
            CLINICIAN,
            (
                Step(
                    "diagnostics:review-list",
                    "review",
                    _("Review results"),
                    _("Your results to sign off, STAT first."),
                ),
                Step(
                    "alerts:inbox",
                    "acknowledge",
                    _("Acknowledge critical results"),
                    _("A critical result waits here until you say what was done."),
                ),
                _help("alerts:inbox"),
            ),
        ),
        Tour(
            "billing",
            BILLING,
            (
                Step(
                    "billing:visit-list",
                    "charges",
                    _("Charges"),
                    _("Review the charges of completed visits, then create the claim."),
                ),
                Step(
                    "billing:claim-list",
                    "claims",
                    _("Claims"),
                    _("Fix what the scrubber found; send ready claims in a batch."),
                ),
                Step(
                    "billing:remittance-list",
                    "posting",
                    _("Posting"),
                    _("Import the payer's 835: payments and denials post to claims."),
                ),
                _help("billing:remittance-list"),
            ),
        ),
        Tour(
            "administrator",
            ADMINISTRATOR,
            (
                Step(
                    "automations:library",
                    "starters",
                    _("Start from a starter"),
                    _("Copy a starter from the library; the copy starts switched off."),
                ),
                Step(
                    "automations:list",
                    "dry-run-switch-on",
                    _("Dry run, then switch on"),
                    _("Open it: its dry run shows 30 days of what it would have done."),
                ),
                Step(
                    "training:pain-points",
                    "metrics",
                    _("Metrics"),
                    _("Each automation's measured effect, beside the pain points."),
                ),
                _help("training:pain-points"),
            ),
        ),
    )
}


def tour_for_role(role: str | None) -> Tour | None:
    return next((t for t in TOURS.values() if t.role == role), None)


def tour_url(tour: Tour, step: int) -> str:
    """The page where ``step`` of the tour plays, asking for the tour."""
    return f"{reverse(tour.steps[step].page)}?tour={tour.slug}"


def tour_data(tour: Tour, *, page: str, start_at: int, progress_url: str) -> dict:
    """What tours.js reads on ``page``: its steps (with their place in the whole
    tour), where to start, where the tour goes on, where to record progress."""
    here = [i for i, step in enumerate(tour.steps) if step.page == page]
    pages = tour.pages()
    after = pages.index(page) + 1
    return {
        "slug": tour.slug,
        "startAt": here.index(start_at) if start_at in here else 0,
        "progressUrl": progress_url,
        "total": len(tour.steps),
        "nextUrl": tour_url(tour, here[-1] + 1) if after < len(pages) else "",
        "steps": [
            {
                "index": i,
                "element": tour.steps[i].selector,
                "title": str(tour.steps[i].title),
                "text": str(tour.steps[i].text),
            }
            for i in here
        ],
    }
