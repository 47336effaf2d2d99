"""A deterministic demo clinic: one user per role, the clinic's locations, patients.

Each app adds its own demo data in its ``demo.py`` (listed in DEMO_SEEDERS), called
with the same Faker so the whole clinic is the same for the same ``--seed``.
"""

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string
from faker import Faker

from clinic.models import StaffProfile

DEMO_PASSWORD = "clinicops-demo-passphrase"

# App seeders, in dependency order: each is (faker, rng, options, stdout) -> None.
DEMO_SEEDERS = [
    "clinic.demo.seed_locations",
    "clinic.demo.seed_staff",
    "registration.demo.seed_patients",
    "medications.demo.seed_medications",
    "diagnostics.demo.seed_diagnostics",
    "scheduling.demo.seed_scheduling",
    "alerts.demo.seed_alerts",
    "billing.demo.seed_billing",
    "automations.demo.seed_automations",
    "careplans.demo.seed_careplans",
    "selfservice.demo.seed_selfservice",
    "smart.demo.seed_api_clients",
    # Last: the family and the proxy are extra patients, so the seeders above see
    # exactly --patients of them.
    "registration.demo.seed_contacts",
]


def demo_staff(*, username, first_name, last_name, role, location, is_staff=False):
    """A demo account in ``role`` working at ``location``; the demo password is set
    once, when the account is made."""
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "email": f"{username}@clinic.example",
            "is_staff": is_staff,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    user.groups.set([Group.objects.get(name=role)])
    StaffProfile.objects.update_or_create(
        user=user, defaults={"role": role, "default_location": location}
    )
    return user


def demo_users(*usernames):
    """The demo accounts ``seed_staff`` made, by user name, in the order asked."""
    users = get_user_model().objects.in_bulk(usernames, field_name="username")
    return [users[name] for name in usernames]


class Command(BaseCommand):
    help = "Create (or top up) a deterministic demo clinic. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=2000)
        parser.add_argument(
            "--days", type=int, default=14, help="Days of activity to create."
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options):
        faker = Faker("en_US")
        faker.seed_instance(options["seed"])
        rng = random.Random(options["seed"])
        with transaction.atomic():
            for path in DEMO_SEEDERS:
                import_string(path)(
                    faker=faker, rng=rng, options=options, stdout=self.stdout
                )
        self.stdout.write(
            self.style.SUCCESS(
                "Demo clinic ready. Log in as frontdesk, nurse, clinician, billing "
                "or admin "
                f"with the password {DEMO_PASSWORD!r}."
            )
        )
