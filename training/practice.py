"""The practice clinic's reset: the training copy goes back to the same demo data
(a fixed seed) each night, with the patients the exercises name."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from automations.models import Event
from clinic.db_guards import connected_as_owner
from diagnostics.catalogue import catalogue_load
from diagnostics.models import Panel, ReferenceRange, TestDefinition
from registration.models import Patient
from registration.mrn import SEQUENCE
from training.exercises import JAMES_CARTER, MARIA_LOPEZ, ROBERT_CHEN

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
    _name_exercise_patients()


def _name_exercise_patients() -> None:
    """Give the names the exercises use to seeded records that fit them: the
    first patient; one with a dose reported overdue; one with a critical result
    (each a different patient)."""
    named = set()
    for name, patients in (
        (MARIA_LOPEZ, Patient.objects.order_by("pk")),
        (JAMES_CARTER, _patients_with_event("dose.overdue")),
        (ROBERT_CHEN, _patients_with_event("result.critical")),
    ):
        patient = patients.exclude(pk__in=named).first()
        if patient is None:
            continue
        named.add(patient.pk)
        patient.given_name, patient.family_name = name
        patient._change_reason = "Named for the practice exercises"
        patient.save()


def _patients_with_event(kind: str):
    return Patient.objects.filter(
        pk__in=Event.objects.filter(kind=kind).values("patient_id")
    ).order_by("pk")


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
