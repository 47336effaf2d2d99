"""Writes of orders and specimens: place, cancel, collect, send to the lab."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from diagnostics.exceptions import (
    WRONG_STATE,
    OrderStateError,
)
from diagnostics.models import (
    DiagnosticOrder,
    OrderedTest,
    Panel,
    Specimen,
    TestDefinition,
)

Status = DiagnosticOrder.Status

NO_TESTS = _("Choose at least one test or panel.")
REASON_REQUIRED = _("Give a reason; it is kept in the order's history.")

CANCELLABLE = {Status.ORDERED, Status.COLLECTED, Status.IN_LAB}
COLLECTABLE = {Status.ORDERED, Status.COLLECTED}
RESULTABLE = {
    Status.ORDERED,
    Status.COLLECTED,
    Status.IN_LAB,
    Status.PARTIAL,
    Status.FINAL,
    Status.CORRECTED,
    Status.REVIEWED,
}
REVIEWABLE = {Status.PARTIAL, Status.FINAL, Status.CORRECTED}


def check_order_state(order: DiagnosticOrder, allowed: set, action: str) -> None:
    if order.status not in allowed:
        raise OrderStateError(
            WRONG_STATE % {"status": order.get_status_display(), "action": action}
        )


def lock_order(order: DiagnosticOrder) -> DiagnosticOrder:
    return DiagnosticOrder.objects.select_for_update().get(pk=order.pk)


# --- Orders ---------------------------------------------------------------------------


def accession_next(*, on: datetime | None = None) -> str:
    """Accession numbers read as the day and a running number: A2611270007."""
    day = timezone.localtime(on or timezone.now()).strftime("%y%m%d")
    prefix = f"A{day}"
    last = (
        DiagnosticOrder.objects.filter(accession__startswith=prefix)
        .order_by("-accession")
        .values_list("accession", flat=True)
        .first()
    )
    number = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def order_create(
    *,
    patient,
    tests: list[TestDefinition] = (),
    panels: list[Panel] = (),
    priority: str = DiagnosticOrder.Priority.ROUTINE,
    reason_code: str,
    reason_text: str = "",
    fasting: bool = False,
    instructions: str = "",
    actor,
    ordered_at: datetime | None = None,
) -> DiagnosticOrder:
    """An order holds each test once (a panel brings its tests) and gets a unique
    accession number."""
    items: dict[int, tuple[TestDefinition, Panel | None]] = {}
    for panel in panels:
        for test in panel.tests.all():
            items.setdefault(test.pk, (test, panel))
    for test in tests:
        items.setdefault(test.pk, (test, None))
    if not items:
        raise ValidationError({"tests": NO_TESTS})
    order = DiagnosticOrder(
        patient=patient,
        ordering_clinician=actor,
        priority=priority,
        reason_code=reason_code.strip().upper(),
        reason_text=reason_text.strip(),
        fasting=fasting,
        instructions=instructions.strip(),
        ordered_at=ordered_at or timezone.now(),
        accession="pending",
    )
    order.full_clean(exclude=["accession"])
    for attempt in range(5):
        order.accession = accession_next(on=order.ordered_at)
        try:
            with transaction.atomic():
                order._change_reason = f"ordered by {actor.get_username()}"
                order.save()
                for test, panel in items.values():
                    OrderedTest.objects.create(order=order, test=test, panel=panel)
            return order
        except IntegrityError:
            order.pk = None  # another order took the number at the same moment
            if attempt == 4:
                raise
    return order


def order_cancel(*, order: DiagnosticOrder, reason: str, actor) -> DiagnosticOrder:
    """An order is cancelled with a reason, and only before it has a result."""
    if not reason.strip():
        raise ValidationError({"reason": REASON_REQUIRED})
    with transaction.atomic():
        order = lock_order(order)
        check_order_state(order, CANCELLABLE, _("cancelled"))
        order.status = Status.CANCELLED
        order.cancelled_at, order.cancelled_by = timezone.now(), actor
        order.cancel_reason = reason.strip()[:200]
        order._change_reason = f"cancelled: {order.cancel_reason}"
        order.save()
    return order


def order_specimen_types(order: DiagnosticOrder) -> list[str]:
    return sorted({item.test.specimen_type for item in order.items.all()})


def specimen_collect(
    *,
    order: DiagnosticOrder,
    specimen_types: list[str],
    collected_at: datetime | None = None,
    actor,
) -> list[Specimen]:
    """Collecting records who took which specimen when; the order is collected."""
    collected_at = collected_at or timezone.now()
    if collected_at > timezone.now():
        raise ValidationError(
            {"collected_at": _("A collection time cannot be in the future.")}
        )
    if collected_at < order.ordered_at.replace(second=0, microsecond=0):
        raise ValidationError(
            {"collected_at": _("A specimen cannot be collected before the order.")}
        )
    # A time typed to the minute, in the minute the order was placed.
    collected_at = max(collected_at, order.ordered_at)
    wanted = set(order_specimen_types(order))
    if not specimen_types or not set(specimen_types) <= wanted:
        raise ValidationError(
            {"specimen_types": _("Choose the specimens this order needs.")}
        )
    with transaction.atomic():
        order = lock_order(order)
        check_order_state(order, COLLECTABLE, _("collected"))
        made = []
        for kind in specimen_types:
            specimen, created = Specimen.objects.get_or_create(
                order=order,
                specimen_type=kind,
                defaults={"collected_at": collected_at, "collected_by": actor},
            )
            if created:
                made.append(specimen)
        if order.status == Status.ORDERED:
            order.status = Status.COLLECTED
            order.collected_at = collected_at
            order._change_reason = f"collected by {actor.get_username()}"
            order.save()
    return made


def order_send_to_lab(*, order: DiagnosticOrder, actor) -> DiagnosticOrder:
    """Sending to the lab stamps every collected specimen."""
    with transaction.atomic():
        order = lock_order(order)
        check_order_state(order, {Status.COLLECTED}, _("sent to the lab"))
        now = timezone.now()
        for specimen in order.specimens.filter(sent_at__isnull=True):
            specimen.sent_at, specimen.sent_by = now, actor
            specimen.save()
        order.status, order.sent_at = Status.IN_LAB, now
        order._change_reason = f"sent to the lab by {actor.get_username()}"
        order.save()
    return order
