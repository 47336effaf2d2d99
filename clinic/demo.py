"""Demo data of the clinic package (called by ``manage.py seed_demo``)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from clinic.management.commands.seed_demo import DEMO_PASSWORD
from clinic.models import StaffProfile
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
    User = get_user_model()
    for username, first, last, role, location_code in STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@clinic.example",
                "is_staff": role == ADMINISTRATOR,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.set([Group.objects.get(name=role)])
        StaffProfile.objects.update_or_create(
            user=user,
            defaults={
                "role": role,
                "default_location": Location.objects.get(code=location_code),
            },
        )
