"""Where the clinic's time goes: weekly trends, each beside the quarter before.

A measure is a list of dated samples (a visit's minutes waited, whether a visit
was a no-show, ...) and how a week's samples become one figure (a median, a
rate). The trend is the last ``WEEKS`` ISO weeks (this one included); "last
quarter" is the same measure over the ``WEEKS`` weeks before them.
"""

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Min
from django.utils import timezone

from alerts.models import StaffAlert
from automations.metrics import automation_metrics
from automations.models import Automation
from billing.models import Claim
from billing.services.remittance import POSTED_FROM_835
from clinic.clock import local_midnight
from diagnostics.models import Observation
from medications import conf as mar_conf
from medications.models import MedicationOrder, ScheduledDose
from scheduling.models import Appointment

WEEKS = 13
LATE_CANCEL_HOURS = 24
S = Appointment.Status
ATTENDED = (S.ARRIVED, S.IN_ROOM, S.COMPLETED)


def median(values: list[float]) -> float:
    return round(statistics.median(values), 1)


def percent(flags: list[bool]) -> float:
    return round(100 * sum(flags) / len(flags), 1)


@dataclass(frozen=True)
class Trend:
    slug: str
    title: str
    unit: str
    weeks: list[tuple[date, float | None]]
    last_quarter: float | None


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def trend(
    *,
    slug: str,
    title: str,
    unit: str,
    samples: Iterable[tuple[datetime, object]],
    figure: Callable[[list], float],
    today: date,
) -> Trend:
    """Group (moment, value) samples by the clinic-local week of the moment."""
    first = _monday(today) - timedelta(weeks=WEEKS - 1)
    quarter_start = first - timedelta(weeks=WEEKS)
    by_week, quarter = defaultdict(list), []
    for moment, value in samples:
        monday = _monday(timezone.localdate(moment))
        if monday >= first:
            by_week[monday].append(value)
        elif monday >= quarter_start:
            quarter.append(value)
    mondays = [first + timedelta(weeks=i) for i in range(WEEKS)]
    return Trend(
        slug=slug,
        title=title,
        unit=unit,
        weeks=[(m, figure(by_week[m]) if by_week[m] else None) for m in mondays],
        last_quarter=figure(quarter) if quarter else None,
    )


def _since(today: date) -> datetime:
    return local_midnight(_monday(today) - timedelta(weeks=2 * WEEKS - 1))


def waiting_samples(*, today: date, now: datetime):
    """Minutes from check-in to the room, per visit roomed."""
    rows = Appointment.objects.filter(
        arrived_at__gte=_since(today), in_room_at__isnull=False
    ).values_list("arrived_at", "in_room_at")
    return [(a, (r - a).total_seconds() / 60) for a, r in rows]


def no_show_samples(*, today: date, now: datetime):
    """Per visit due (attended or no-show), by its start: was it a no-show."""
    rows = Appointment.objects.filter(
        start__gte=_since(today), status__in=(S.NO_SHOW, *ATTENDED)
    ).values_list("start", "status")
    return [(start, status == S.NO_SHOW) for start, status in rows]


def late_cancel_samples(*, today: date, now: datetime):
    """Per visit booked, by its start: cancelled less than a day before it."""
    rows = Appointment.objects.filter(start__gte=_since(today)).values_list(
        "start", "status", "cancelled_at"
    )
    late = timedelta(hours=LATE_CANCEL_HOURS)
    return [
        (start, status == S.CANCELLED and _within(cancelled, start, late))
        for start, status, cancelled in rows
    ]


def _within(moment: datetime | None, start: datetime, span: timedelta) -> bool:
    return moment is not None and start - moment < span


def past_due_samples(*, today: date, now: datetime):
    """Per task with a due time, by that time: still open past it, or resolved late."""
    rows = StaffAlert.objects.filter(
        due_at__gte=_since(today), due_at__lt=now
    ).values_list("due_at", "resolved_at")
    return [(due, resolved is None or resolved > due) for due, resolved in rows]


def acknowledgement_samples(*, today: date, now: datetime):
    """Per critical result (final or corrected), by the time it was resulted:
    minutes until a clinician first acknowledged it — or, still waiting, until now."""
    rows = (
        Observation.objects.filter(
            resulted_at__gte=_since(today),
            resulted_at__lt=now,
            flag__in=(Observation.Flag.CRITICAL_LOW, Observation.Flag.CRITICAL_HIGH),
        )
        .exclude(status=Observation.Status.PRELIMINARY)
        .annotate(first_ack=Min("acknowledgements__acknowledged_at"))
        .values_list("resulted_at", "first_ack")
    )
    return [(r, ((a or now) - r).total_seconds() / 60) for r, a in rows]


def dose_samples(*, today: date, now: datetime):
    """Per scheduled dose whose time window has closed, by its due time: given
    after the window, or still not given (held and refused doses carry a reason
    and count as on time; cancelled ones and as-needed orders are left out)."""
    window = mar_conf.time_window()
    rows = (
        ScheduledDose.objects.filter(due_at__gte=_since(today), due_at__lt=now - window)
        .exclude(status=ScheduledDose.Status.CANCELLED)
        .exclude(order__frequency=MedicationOrder.Frequency.PRN)
        .values_list("due_at", "status", "administration__given_at")
    )
    open_ = ScheduledDose.Status.SCHEDULED
    return [
        (due, status == open_ or (given is not None and given > due + window))
        for due, status, given in rows
    ]


def _postings(today: date):
    """The claims as each 835 posting left them (their history rows), by when
    the posting was made."""
    return Claim.history.filter(
        history_change_reason__startswith=POSTED_FROM_835,
        adjudicated_at__gte=_since(today),
    ).values_list("adjudicated_at", "submitted_at", "status")


def days_to_payment_samples(*, today: date, now: datetime):
    """Per payment posted (paid or partially paid), by its posting: days since the
    claim was submitted."""
    paid = (Claim.Status.PAID, Claim.Status.PARTIALLY_PAID)
    return [
        (posted, (posted - submitted).total_seconds() / 86400)
        for posted, submitted, status in _postings(today)
        if status in paid and submitted is not None
    ]


def denial_samples(*, today: date, now: datetime):
    """Per claim adjudicated by an 835 posting, by the posting: was it denied."""
    return [
        (posted, status == Claim.Status.DENIED)
        for posted, _submitted, status in _postings(today)
    ]


def open_past_due_by_role(*, now: datetime) -> list[tuple[str, int]]:
    """Tasks open now past their due time, per role they are for."""
    counts = defaultdict(int)
    for role in (
        StaffAlert.objects.filter(due_at__lt=now)
        .exclude(status=StaffAlert.Status.RESOLVED)
        .values_list("assigned_role", flat=True)
    ):
        counts[role or "(a person)"] += 1
    return sorted(counts.items())


MEASURES = [
    ("waiting", "Check-in to room", "minutes (median)", waiting_samples, median),
    ("no-show", "No-show rate", "% of visits due", no_show_samples, percent),
    (
        "late-cancel",
        "Late cancellations",
        f"% of visits (< {LATE_CANCEL_HOURS} h before)",
        late_cancel_samples,
        percent,
    ),
    ("tasks-past-due", "Tasks past due", "% of tasks due", past_due_samples, percent),
    (
        "result-ack",
        "Critical result to acknowledgement",
        "minutes (median)",
        acknowledgement_samples,
        median,
    ),
    ("doses-late", "Doses late or missed", "% of doses due", dose_samples, percent),
    (
        "days-to-payment",
        "Claims' days to payment",
        "days from submission (median)",
        days_to_payment_samples,
        median,
    ),
    ("denials", "Denial rate", "% of claims adjudicated", denial_samples, percent),
]


def pain_points(*, today: date | None = None, now: datetime | None = None):
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    return [
        trend(
            slug=slug,
            title=title,
            unit=unit,
            samples=samples(today=today, now=now),
            figure=figure,
            today=today,
        )
        for slug, title, unit, samples, figure in MEASURES
    ]


def automation_effects() -> list[dict]:
    """Each automation's measured effect, as its own metrics page computes it."""
    rows = []
    for automation in Automation.objects.order_by("name"):
        m = automation_metrics(automation=automation)
        touched = sum(w.touched for w in m.weeks)
        other = sum(w.other for w in m.weeks)
        rows.append(
            {
                "automation": automation,
                "runs": m.runs,
                "messages": m.messages,
                "tasks_resolved": m.tasks_resolved,
                "touched_rate": _rate(sum(w.touched_no_show for w in m.weeks), touched),
                "other_rate": _rate(sum(w.other_no_show for w in m.weeks), other),
            }
        )
    return rows


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None
