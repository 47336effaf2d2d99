"""The tests panel of the patient chart (the registration app includes it).

``chart_panel`` runs a fixed number of queries whatever the patient's history:
one for recent orders (+2 prefetches) and one for the numeric results used by the
trend charts.
"""

from django.db.models import Count, Prefetch, Q

from clinic.panels import Panel
from diagnostics import flags, patient_facts
from diagnostics.models import DiagnosticOrder, Observation, OrderedTest
from diagnostics.trend import trend_chart

RECENT_ORDERS = 10
TREND_TESTS = 3
TREND_POINTS = 12
TEMPLATE = "diagnostics/partials/_chart_panel.html"


def chart_panel(*, patient, user) -> dict:
    """What ``diagnostics/partials/_chart_panel.html`` shows, as its ``dx``:
    ``{% include dx.template with dx=dx %}`` in the chart page."""
    can_view = user.has_perm("diagnostics.view_diagnosticorder")
    if not can_view:
        return {"template": TEMPLATE, "can_view": False}
    orders = list(
        DiagnosticOrder.objects.filter(patient=patient)
        .select_related("ordering_clinician")
        .prefetch_related(
            Prefetch("items", queryset=OrderedTest.objects.select_related("test")),
            Prefetch(
                "observations",
                queryset=Observation.objects.only("id", "order_id", "flag", "test_id"),
            ),
        )
        .order_by("-ordered_at", "-id")[:RECENT_ORDERS]
    )
    can_view_results = user.has_perm("diagnostics.view_results")
    for order in orders:
        order.abnormal_count = (
            sum(1 for o in order.observations.all() if o.flag != "N")
            if can_view_results
            else 0
        )
        order.test_codes = ", ".join(i.test.code for i in order.items.all())
    return {
        "template": TEMPLATE,
        "can_view": True,
        "can_view_results": can_view_results,
        "can_order": user.has_perm("diagnostics.add_diagnosticorder"),
        "patient": patient,
        "orders": orders,
        # Values and flags: only for the roles that see results.
        "trends": patient_trends(patient=patient) if can_view_results else [],
    }


def patient_trends(*, patient) -> list[dict]:
    """A trend chart for each of the patient's most repeated numeric tests."""
    repeated = list(
        Observation.objects.filter(order__patient=patient, value_numeric__isnull=False)
        .exclude(order__status=DiagnosticOrder.Status.CANCELLED)
        .values("test_id")
        .annotate(n=Count("id"), abnormal=Count("id", filter=~Q(flag="N")))
        .filter(n__gte=2)
        # The tests that were ever abnormal are the ones worth following.
        .order_by("-abnormal", "-n", "test_id")[:TREND_TESTS]
    )
    if not repeated:
        return []
    wanted = [row["test_id"] for row in repeated]
    rows = (
        Observation.objects.filter(
            order__patient=patient, test_id__in=wanted, value_numeric__isnull=False
        )
        .exclude(order__status=DiagnosticOrder.Status.CANCELLED)
        .select_related("test")
        .prefetch_related("test__ranges")
        .order_by("resulted_at")
    )
    by_test: dict[int, list[Observation]] = {}
    for observation in rows:
        by_test.setdefault(observation.test_id, []).append(observation)
    sex = patient_facts.sex_at_birth(patient)
    trends = []
    for test_id in wanted:
        series = by_test.get(test_id, [])[-TREND_POINTS:]
        if len(series) < 2:
            continue
        test = series[0].test
        last = series[-1]
        when = last.observed_at or last.resulted_at
        found = flags.reference_range_for(
            test=test,
            sex=sex,
            age_years=patient_facts.age_in_years(patient, on=when.date()),
            ranges=list(test.ranges.all()),
        )
        points = [
            (o.observed_at or o.resulted_at, o.value_numeric, o.flag) for o in series
        ]
        trends.append(
            {
                "test": test,
                "chart": trend_chart(
                    points=points,
                    low=found.low if found else None,
                    high=found.high if found else None,
                    unit=test.unit,
                    decimals=test.decimals,
                ),
                "latest": last,
            }
        )
    return trends


def chart_provider(request, patient):
    """The tests panel in registration.chart_panel.CHART_PANELS."""
    from django.utils.translation import gettext as _

    return Panel(
        key="tests",
        title=_("Tests"),
        template=TEMPLATE,
        context=chart_panel(patient=patient, user=request.user),
    )
