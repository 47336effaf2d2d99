"""Overdue doses: a staff alert to the nurses for each dose past the threshold,
closed when the dose is given, held, refused or cancelled."""

from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from alerts.models import StaffAlert
from alerts.services import alert_raise, alert_resolve_by_key
from automations.events import publish
from medications import conf
from medications.models import MedicationOrder, ScheduledDose

DS = ScheduledDose.Status


def overdue_key(dose_pk: int) -> str:
    """The alert key of a dose's overdue alert (one open alert per dose)."""
    return f"dose-overdue:{dose_pk}"


def overdue_alert_close(dose: ScheduledDose, note: str, actor=None) -> None:
    """The dose was charted or cancelled: its overdue alert, if any, closes."""
    alert_resolve_by_key(key=overdue_key(dose.pk), note=note, actor=actor)


def overdue_alerts_raise(*, now: datetime) -> int:
    """One staff alert per dose overdue beyond the threshold, to the nurses (kept
    unique by its key; it closes when the dose is given, held or refused)."""
    doses = (
        ScheduledDose.objects.filter(
            status=DS.SCHEDULED,
            order__status=MedicationOrder.Status.ACTIVE,
            due_at__lt=now - conf.overdue_after(),
            due_at__gte=now - conf.overdue_alert_lookback(),
        )
        .select_related("order__patient", "order__medication", "order__location")
        .order_by("due_at")
    )
    doses = list(doses)
    open_keys = set(
        StaffAlert.objects.filter(key__in=[overdue_key(dose.pk) for dose in doses])
        .exclude(status=StaffAlert.Status.RESOLVED)
        .values_list("key", flat=True)
    )
    raised = 0
    for dose in doses:
        if overdue_key(dose.pk) in open_keys:
            continue
        order = dose.order
        alert_raise(
            kind="dose_overdue",
            title=_(
                "Overdue: %(drug)s %(dose)s %(route)s for %(patient)s (due %(due)s)"
            )
            % {
                "drug": order.medication.name,
                "dose": order.dose_label,
                "route": order.route,
                "patient": f"{order.patient.family_name}, {order.patient.given_name}",
                "due": formats.date_format(timezone.localtime(dose.due_at), "H:i"),
            },
            message=_("Unit: %(unit)s. Give, hold or refuse the dose on the MAR.")
            % {"unit": order.location.name},
            patient=order.patient,
            subject=dose,
            role="Nurse",
            key=overdue_key(dose.pk),
            due_at=dose.due_at,
        )
        publish("dose.overdue", patient=order.patient, subject=dose)
        raised += 1
    return raised
