"""The practice clinic's reset: the training copy goes back to the same demo data
(a fixed seed) each night, with the patients the exercises name."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from clinic.db_guards import connected_as_owner
from diagnostics.catalogue import catalogue_load
from diagnostics.models import Panel, ReferenceRange, TestDefinition
from registration.models import Patient
from registration.mrn import SEQUENCE

PRACTICE_SEED = 2323
PRACTICE_PATIENTS = 200
RESET_HOUR = 2  # clinic-local hour after which the nightly reset runs
NOT_PRACTICE = "The practice clinic resets only with PRACTICE_MODE on."


def _marker():
    return settings.VAR_DIR / "practice" / "last_reset"


def practice_reset(*, stdout=None) -> None:
    """Wipe the practice copy's database and seed it again, the same each time."""
    if not settings.PRACTICE_MODE:
        raise ImproperlyConfigured(NOT_PRACTICE)
    # As the tables' owner (like migrate): the app's role may not empty the
    # append-only tables nor restart the MRN sequence.
    with connected_as_owner("default"):
        _reset(stdout)
    _marker().parent.mkdir(parents=True, exist_ok=True)
    _marker().write_text(timezone.localdate().isoformat())


def _reset(stdout) -> None:
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":  # the same MRNs each time
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER SEQUENCE {SEQUENCE} RESTART")
    # The test catalogue is data a migration loads; flush emptied it with the rest.
    catalogue_load(
        test_model=TestDefinition, range_model=ReferenceRange, panel_model=Panel
    )
    call_command(
        "seed_demo",
        patients=PRACTICE_PATIENTS,
        seed=PRACTICE_SEED,
        stdout=stdout,
    )
    first = Patient.objects.order_by("pk").first()
    if first is not None:  # the patient the exercises name, on a seeded record
        first.given_name, first.family_name = "Maria", "Lopez"
        first.save()


def practice_reset_nightly(now) -> int:
    """The sweeper: once a night after RESET_HOUR, in practice mode only."""
    if not settings.PRACTICE_MODE:
        return 0
    local = timezone.localtime(now)
    done = _marker().read_text() if _marker().exists() else ""
    if local.hour < RESET_HOUR or done == local.date().isoformat():
        return 0
    practice_reset()
    return 1
