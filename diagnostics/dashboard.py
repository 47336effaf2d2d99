"""Home-page panels of diagnostics (listed in clinic/dashboard.py PANELS)."""

from django.utils.translation import gettext as _

from clinic.panels import Panel
from diagnostics.models import DiagnosticOrder, Hl7Message, Observation

Status = DiagnosticOrder.Status
LIMIT = 8


def results_to_review(request) -> Panel | None:
    user = request.user
    if not user.has_perm("diagnostics.review_result"):
        return None
    waiting = DiagnosticOrder.objects.filter(
        ordering_clinician=user,
        status__in=[Status.PARTIAL, Status.FINAL, Status.CORRECTED],
    )
    critical = (
        Observation.objects.filter(
            order__in=waiting,
            flag__in=[Observation.Flag.CRITICAL_LOW, Observation.Flag.CRITICAL_HIGH],
            acknowledgements__isnull=True,
        )
        .select_related("test", "order__patient")
        .order_by("resulted_at")[:LIMIT]
    )
    critical = list(critical)
    with_critical = {o.order_id for o in critical}
    others = (
        waiting.exclude(pk__in=with_critical)
        .select_related("patient")
        .order_by("-priority", "resulted_at", "pk")[:LIMIT]
    )
    # Orders still on their way to a result: placed, not yet signed off.
    open_orders = DiagnosticOrder.objects.filter(
        ordering_clinician=user,
        status__in=[Status.ORDERED, Status.COLLECTED, Status.IN_LAB],
    )
    return Panel(
        title=_("Results to review"),
        template="diagnostics/panels/_results_to_review.html",
        context={
            "count": waiting.count(),
            "critical": critical,
            "others": list(others),
            "open_count": open_orders.count(),
        },
    )


def specimens_to_collect(request) -> Panel | None:
    if not request.user.has_perm("diagnostics.collect_specimen"):
        return None
    orders = (
        DiagnosticOrder.objects.filter(status=Status.ORDERED)
        .select_related("patient")
        .order_by("-priority", "ordered_at")
    )
    return Panel(
        title=_("Specimens to collect"),
        template="diagnostics/panels/_specimens_to_collect.html",
        context={
            "count": orders.count(),
            "orders": list(orders[:LIMIT]),
            "errors": Hl7Message.objects.filter(
                status__in=[Hl7Message.Status.ERROR, Hl7Message.Status.REJECTED]
            ).count(),
        },
    )
