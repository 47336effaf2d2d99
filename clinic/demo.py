"""Demo data of the clinic package (called by ``manage.py seed_demo``)."""

from clinic.management.commands.seed_demo import demo_staff
from clinic.permissions import ADMINISTRATOR, BILLING, CLINICIAN, FRONT_DESK, NURSE
from scheduling.models import Location

LOCATIONS = [
    ("main", "Main Street Clinic", Location.Kind.CLINIC, "120 Main Street"),
    ("infusion", "Infusion Unit", Location.Kind.INFUSION, "120 Main Street, 2nd floor"),
    ("lab", "Clinic Laboratory", Location.Kind.LAB, "120 Main Street, basement"),
]

STAFF = [
    ("frontdesk", "Fran", "Desk", FRONT_DESK, "main"),
    ("nurse", "Nora", "Bedside", NURSE, "infusion"),
    ("clinician", "Cal", "Ordway", CLINICIAN, "main"),
    ("billing", "Bill", "Ledger", BILLING, "main"),
    ("admin", "Ada", "Minh", ADMINISTRATOR, "main"),
]


def seed_locations(*, faker, rng, options, stdout) -> None:
    for code, name, kind, address in LOCATIONS:
        Location.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "address": address}
        )


def seed_staff(*, faker, rng, options, stdout) -> None:
    for username, first, last, role, location_code in STAFF:
        demo_staff(
            username=username,
            first_name=first,
            last_name=last,
            role=role,
            location=Location.objects.get(code=location_code),
            is_staff=role == ADMINISTRATOR,
        )
