"""Home-page panels of the registration app (listed in clinic/dashboard.py)."""

from clinic.clock import local_midnight, today
from clinic.panels import Panel
from registration.models import Patient


def registrations_today(request) -> Panel:
    start = local_midnight(today())
    recent = list(
        Patient.objects.filter(created_at__gte=start)
        .only("id", "mrn", "given_name", "family_name", "birth_date")
        .order_by("-created_at")[:5]
    )
    return Panel(
        title="Patients",
        template="registration/panels/_registrations_today.html",
        context={
            "recent": recent,
            "can_register": request.user.has_perm("registration.add_patient"),
        },
    )
