"""Reads of diagnostics shared by pages, PDFs, reports and the chart panel."""

from datetime import datetime

from django.db.models import Prefetch, QuerySet

from clinic.word_search import each_word
from diagnostics.models import (
    CriticalAcknowledgement,
    DiagnosticOrder,
    Hl7Message,
    Observation,
    OrderedTest,
    Panel,
    Specimen,
    TestDefinition,
)
from registration.selectors import patient_mrn_q

Status = DiagnosticOrder.Status
TO_REVIEW = [Status.PARTIAL, Status.FINAL, Status.CORRECTED]


def order_list(
    *, query: str = "", status: str = "", priority: str = "", clinician=None
) -> QuerySet:
    orders = DiagnosticOrder.objects.select_related(
        "patient", "ordering_clinician"
    ).prefetch_related(
        Prefetch("items", queryset=OrderedTest.objects.select_related("test", "panel"))
    )
    if status:
        orders = orders.filter(status=status)
    if priority:
        orders = orders.filter(priority=priority)
    if clinician is not None:
        orders = orders.filter(ordering_clinician=clinician)
    orders = each_word(
        orders,
        query,
        "accession__iexact",
        lambda word: patient_mrn_q(mrn=word, path="patient__mrn"),
        "patient__family_name__icontains",
        "patient__given_name__icontains",
    )
    return orders.order_by("-ordered_at", "-id")


def order_detail(*, pk: int) -> DiagnosticOrder:
    return (
        DiagnosticOrder.objects.select_related(
            "patient", "ordering_clinician", "reviewed_by", "cancelled_by"
        )
        .prefetch_related(
            Prefetch(
                "items", queryset=OrderedTest.objects.select_related("test", "panel")
            ),
            Prefetch(
                "specimens",
                queryset=Specimen.objects.select_related("collected_by", "sent_by"),
            ),
            Prefetch(
                "observations",
                queryset=Observation.objects.select_related(
                    "test", "entered_by"
                ).prefetch_related(
                    Prefetch(
                        "acknowledgements",
                        queryset=CriticalAcknowledgement.objects.select_related(
                            "acknowledged_by"
                        ),
                    )
                ),
            ),
        )
        .get(pk=pk)
    )


def order_items_with_results(order: DiagnosticOrder) -> list[dict]:
    """Each ordered test with its result (or None), in order; extra results last."""
    results = {o.test_id: o for o in order.observations.all()}
    rows = []
    for item in order.items.all():
        rows.append(
            {
                "test": item.test,
                "panel": item.panel,
                "result": results.pop(item.test_id, None),
            }
        )
    for observation in results.values():
        rows.append({"test": observation.test, "panel": None, "result": observation})
    return rows


def review_inbox(*, clinician) -> QuerySet:
    """Orders of this clinician with results not yet signed off, STAT first."""
    return (
        order_list(clinician=clinician)
        .filter(status__in=TO_REVIEW)
        .prefetch_related(
            Prefetch(
                "observations",
                queryset=Observation.objects.select_related("test").prefetch_related(
                    "acknowledgements"
                ),
            )
        )
        .order_by("-priority", "resulted_at", "id")
    )


def catalogue() -> tuple[QuerySet, QuerySet]:
    tests = TestDefinition.objects.prefetch_related("ranges").order_by("name")
    panels = Panel.objects.prefetch_related("tests").order_by("name")
    return tests, panels


def orderable() -> tuple[QuerySet, QuerySet]:
    tests = TestDefinition.objects.filter(active=True).order_by("name")
    panels = Panel.objects.filter(active=True).prefetch_related("tests")
    return tests, panels


def hl7_messages(
    *, status: str = "", query: str = "", upload_id: int | None = None
) -> QuerySet:
    messages = Hl7Message.objects.select_related("received_by")
    if upload_id:
        messages = messages.filter(upload_id=upload_id)
    if status:
        messages = messages.filter(status=status)
    messages = each_word(
        messages,
        query,
        "accession__icontains",
        "control_id__icontains",
        "error__icontains",
    )
    return messages.order_by("-received_at", "-id")


def hl7_message_patient(*, message: Hl7Message):
    """The patient of the order the message names, when there is one (for the
    access log: the raw message shows patient data)."""
    numbers = [n.strip() for n in message.accession.split(",") if n.strip()]
    order = (
        DiagnosticOrder.objects.filter(accession__in=numbers)
        .select_related("patient")
        .first()
    )
    return order.patient if order else None


def hl7_error_count() -> int:
    return Hl7Message.objects.filter(
        status__in=[Hl7Message.Status.ERROR, Hl7Message.Status.REJECTED]
    ).count()


def orders_for_turnaround(*, start: datetime, end: datetime) -> QuerySet:
    return (
        DiagnosticOrder.objects.filter(ordered_at__gte=start, ordered_at__lt=end)
        .exclude(status=Status.CANCELLED)
        .prefetch_related(
            Prefetch(
                "items", queryset=OrderedTest.objects.select_related("test", "panel")
            ),
            "observations",
        )
    )
