"""The nurse's home-page panel: doses due and overdue on their unit now."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from clinic.panels import Panel
from medications import conf
from medications.models import MedicationOrder, ScheduledDose
from medications.selectors import mar_locations_with_patients


def doses_now(request) -> Panel | None:
    """Counts for the user's unit (every unit when none is set or it has no
    patients), and a link."""
    if not request.user.has_perm("medications.view_scheduleddose"):
        return None
    profile = getattr(request.user, "profile", None)
    location = getattr(profile, "default_location", None)
    if location is not None and location.pk not in mar_locations_with_patients():
        # An empty unit of one's own counts nothing: every unit's doses, and the
        # MAR opens where the patients are.
        location = None
    now = timezone.now()
    doses = ScheduledDose.objects.filter(
        status=ScheduledDose.Status.SCHEDULED,
        order__status=MedicationOrder.Status.ACTIVE,
        due_at__gte=now - conf.missed_after(),
        due_at__lt=now + conf.due_soon_within(),
    )
    if location is not None:
        doses = doses.filter(order__location=location)
    counts = doses.aggregate(
        overdue=Count("pk", filter=Q(due_at__lt=now - conf.overdue_after())),
        due=Count(
            "pk",
            filter=Q(
                due_at__gte=now - conf.overdue_after(),
                due_at__lte=now + conf.time_window(),
            ),
        ),
        soon=Count("pk", filter=Q(due_at__gt=now + conf.time_window())),
    )
    return Panel(
        title="Doses on the unit",
        template="medications/panels/_doses_now.html",
        context={
            "location": location,
            "counts": counts,
            "window": int(conf.due_soon_within() / timedelta(minutes=1)),
        },
    )
