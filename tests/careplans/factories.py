"""Care-plan test helpers: a diabetic patient with a plan made from the starter."""

from datetime import timedelta

from careplans import services
from careplans.starters import BY_SLUG
from clinic.clock import today
from diagnostics.catalogue import catalogue_load
from diagnostics.models import Panel, ReferenceRange, TestDefinition
from scheduling.models import AppointmentType
from tests.clinic.factories import UserFactory
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import AppointmentTypeFactory


def catalogue() -> None:
    """The migrated test catalogue again: a transactional test empties every table
    when it ends, the catalogue too."""
    catalogue_load(
        test_model=TestDefinition, range_model=ReferenceRange, panel_model=Panel
    )


def diabetic_plan(*, days_ago: int = 0, patient=None, clinician=None):
    """A plan from the diabetes starter that started ``days_ago`` days ago (its
    HbA1c is due three months after that)."""
    clinician = clinician or UserFactory(role="Clinician")
    if not AppointmentType.objects.filter(name="Follow-up").exists():
        AppointmentTypeFactory(name="Follow-up")
    problem = services.problem_add(
        patient=patient or PatientFactory(),
        code="E11.9",
        description="Type 2 diabetes mellitus without complications",
        actor=clinician,
    )
    return services.plan_from_starter(
        problem=problem,
        starter=BY_SLUG["diabetes"],
        responsible=clinician,
        actor=clinician,
        start_date=today() - timedelta(days=days_ago),
    )
