"""A small clinic for the self-service tests: one provider working every day at
one location, a visit type, and a new patient's first visit booked through the
booking service (so the intake request is made as in real life)."""

from dataclasses import dataclass

from automations.engine.batches import event_process
from automations.models import Event
from automations.services import automation_enable
from automations.starters import BY_SLUG, build_starter
from scheduling import services
from selfservice import links
from tests.clinic.factories import UserFactory
from tests.registration.factories import PatientFactory
from tests.scheduling import factories as made


@dataclass
class Clinic:
    location: object
    provider: object
    visit_type: object
    clerk: object

    def book(self, patient=None, *, hour: int = 9, weeks_ahead: int = 1):
        return services.appointment_book(
            patient=patient or PatientFactory(phone_mobile="+16175550100"),
            appointment_type=self.visit_type,
            provider=self.provider,
            location=self.location,
            start=made.local(made.next_weekday(weeks_ahead=weeks_ahead), hour),
            actor=self.clerk,
        )


def small_clinic() -> Clinic:
    location = made.LocationFactory(code="main", name="Main Street Clinic")
    provider = made.ProviderFactory(name="Dr Ada Lovelace")
    made.weekly_hours(provider, location)
    return Clinic(
        location=location,
        provider=provider,
        visit_type=made.AppointmentTypeFactory(duration_minutes=30),
        clerk=UserFactory(role="Front desk"),
    )


def visit_path(visit, *, purpose: str = links.VISIT) -> str:
    """The path of a visit's link (its address without the base URL)."""
    return path_of(links.link_for(visit, purpose=purpose))


def path_of(url: str) -> str:
    return "/" + url.split("//", 1)[1].split("/", 1)[1]


def welcome_on() -> None:
    """The "New-patient welcome" starter, switched on: booking a first visit
    texts the intake link (once its booking event is processed: ``welcome``)."""
    admin = UserFactory(role="Administrator")
    automation = build_starter(BY_SLUG["new-patient-welcome"], actor=admin)
    automation_enable(automation=automation, actor=admin)


def welcome(visit) -> None:
    event = Event.objects.get(kind="appointment.booked", subject_id=str(visit.pk))
    event_process(event_id=event.pk)
