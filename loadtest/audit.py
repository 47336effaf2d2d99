"""``python -m loadtest.audit WORKDIR``: the database's side of ``checks.report``
(the owner's connection, after the run has drained)."""

import io
import sys
from collections import Counter
from contextlib import redirect_stderr
from pathlib import Path

import django

django.setup()

from django.apps import apps  # noqa: E402  (after django.setup)
from django.core.management import call_command  # noqa: E402

from alerts.models import Notification  # noqa: E402
from billing.models import Remittance, SubmissionBatch  # noqa: E402
from clinic.models import AccessLog, ReportExport  # noqa: E402
from loadtest.checks import report  # noqa: E402
from medications.models import Administration  # noqa: E402
from registration.models import Patient  # noqa: E402
from scheduling.models import Appointment  # noqa: E402

SENT = {"Transmitted", "Found at the clearinghouse"}


def _bookings(rows) -> Counter:
    """A booking is there once: no second live visit for its patient and start."""
    found = Counter()
    for visit in Appointment.objects.filter(pk__in=[r["id"] for r in rows]):
        same = Appointment.objects.filter(patient=visit.patient, start=visit.start)
        found[visit.pk] = same.exclude(status="cancelled").count()
    return found


def _registrations(rows) -> Counter:
    return Counter(
        {
            row["id"]: Patient.objects.filter(family_name=row["family_name"]).count()
            for row in rows
        }
    )


def _doses(rows) -> Counter:
    given = Administration.objects.filter(dose_id__in=[r["id"] for r in rows])
    return Counter(given.values_list("dose_id", flat=True))


def _remittances(rows) -> Counter:
    return Counter(
        {
            row["id"]: Remittance.objects.filter(trace_number=row["trace"]).count()
            for row in rows
        }
    )


def _batches(rows) -> Counter:
    """A batch left for the clearinghouse once (its history says so)."""
    found = Counter()
    for batch in SubmissionBatch.objects.filter(pk__in=[r["id"] for r in rows]):
        reasons = batch.history.values_list("history_change_reason", flat=True)
        found[batch.pk] = sum(1 for reason in reasons if reason in SENT)
    return found


def _exports(rows) -> Counter:
    done = ReportExport.objects.filter(pk__in=[r["id"] for r in rows], status="done")
    return Counter(done.values_list("pk", flat=True))


COUNTERS = {
    "booking": _bookings,
    "registration": _registrations,
    "dose": _doses,
    "remittance upload": _remittances,
    "batch": _batches,
    "export": _exports,
}


def found(ledger: list[dict]) -> dict[str, Counter]:
    kinds = {row["kind"] for row in ledger}
    return {
        kind: COUNTERS[kind]([r for r in ledger if r["kind"] == kind]) for kind in kinds
    }


def reminders_due(start, end) -> dict[tuple[str, str], str]:
    due = Notification.objects.filter(
        channel="sms", scheduled_for__range=(start, end)
    ).exclude(status__in=["cancelled", "skipped"])
    return {(n.address, n.body): n.status for n in due}


def _without_history(queryset) -> int:
    model = queryset.model
    kept = model.history.model.objects.values("id")
    return queryset.exclude(pk__in=kept).count()


def integrity(start, end) -> dict[str, str]:
    problems = {}
    errors = io.StringIO()
    try:
        with redirect_stderr(errors):
            call_command("verify_access_log", stdout=io.StringIO(), stderr=errors)
        problems["access-log chain verifies"] = ""
    except SystemExit:
        problems["access-log chain verifies"] = errors.getvalue().strip()
    changed = {
        "visits booked": Appointment.objects.filter(booked_at__range=(start, end)),
        "patients registered": Patient.objects.filter(created_at__range=(start, end)),
        "doses given": Administration.objects.filter(given_at__range=(start, end)),
        "batches": SubmissionBatch.objects.filter(created_at__range=(start, end)),
    }
    for what, rows in changed.items():
        missing = _without_history(rows)
        problems[f"{what}: a history row each ({rows.count()})"] = (
            f"{missing} without history" if missing else ""
        )
    unsent = SubmissionBatch.objects.filter(created_at__range=(start, end))
    unsent = unsent.exclude(status__in=["sent", "accepted", "rejected"]).count()
    problems["every batch sent"] = f"{unsent} not sent" if unsent else ""
    return problems


def written(start, end) -> dict[str, int]:
    """Rows the run added to the two tables that grow with every click."""
    history = sum(
        model.objects.filter(history_date__range=(start, end)).count()
        for model in apps.get_models()
        if "history_date" in {field.name for field in model._meta.fields}
    )
    return {
        "access-log rows": AccessLog.objects.filter(
            created_at__range=(start, end)
        ).count(),
        "history rows": history,
        "visits booked": Appointment.objects.filter(
            booked_at__range=(start, end)
        ).count(),
    }


if __name__ == "__main__":
    sys.exit(report(Path(sys.argv[1]), sys.modules[__name__]))
