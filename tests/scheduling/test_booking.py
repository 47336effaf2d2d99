from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from alerts.models import StaffAlert
from scheduling import services
from scheduling.exceptions import (
    NO_ROOM_FREE,
    OUTSIDE_HOURS,
    PATIENT_BUSY,
    SLOT_TAKEN,
    InvalidTransition,
    NotAllowed,
    OutsideAvailability,
    PatientBusy,
    SlotTaken,
)
from scheduling.models import Appointment, Room
from scheduling.validators import npi_is_valid
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    RoomFactory,
    local,
    next_weekday,
    reach_visit,
)

pytestmark = pytest.mark.django_db

S = Appointment.Status


def book(clinic, actor, *, hour=9, minute=0, patient=None, provider=None, **extra):
    return services.appointment_book(
        patient=patient or clinic["patient"],
        appointment_type=extra.pop("appointment_type", clinic["type"]),
        provider=provider or clinic["provider"],
        location=clinic["location"],
        start=local(next_weekday(), hour, minute),
        actor=actor,
        **extra,
    )


def test_npi_check_digit():
    assert npi_is_valid("1234567893")
    assert not npi_is_valid("1234567890")
    assert not npi_is_valid("123456789")
    assert not npi_is_valid("12345678a3")


def test_booking_sets_the_end_from_the_type_and_keeps_history(clinic, make_user):
    clerk = make_user("Front desk")
    appointment = book(clinic, clerk)
    assert appointment.end - appointment.start == timedelta(minutes=30)
    assert appointment.status == S.SCHEDULED
    assert appointment.booked_by == clerk
    assert appointment.history.get().history_change_reason == "booked"


def test_a_taken_time_is_refused_with_the_next_free_slots(clinic, make_user):
    clerk = make_user("Front desk")
    book(clinic, clerk)
    with pytest.raises(SlotTaken) as caught:
        book(clinic, clerk, minute=15, patient=PatientFactory())
    assert caught.value.message == str(SLOT_TAKEN)
    alternatives = caught.value.alternatives
    assert len(alternatives) == 5
    assert alternatives[0].start == local(next_weekday(), 9, 30)
    assert Appointment.objects.count() == 1


def test_back_to_back_visits_do_not_overlap(clinic, make_user):
    clerk = make_user("Front desk")
    book(clinic, clerk)
    second = book(clinic, clerk, minute=30, patient=PatientFactory())
    assert second.start == local(next_weekday(), 9, 30)


def test_the_same_patient_twice_at_once_needs_a_reason(clinic, make_user):
    clerk = make_user("Front desk")
    book(clinic, clerk)
    with pytest.raises(PatientBusy) as caught:
        book(clinic, clerk, provider=clinic["other_provider"])
    assert caught.value.message == str(PATIENT_BUSY)
    second = book(
        clinic,
        clerk,
        provider=clinic["other_provider"],
        override_reason="Lab draw during the visit",
    )
    assert second.override_reason == "Lab draw during the visit"


def test_double_booking_needs_the_permission_and_a_reason(clinic, make_user):
    clerk, admin = make_user("Front desk"), make_user("Administrator")
    book(clinic, clerk)
    with pytest.raises(NotAllowed):
        book(
            clinic,
            clerk,
            patient=PatientFactory(),
            double_book=True,
            override_reason="x",
        )
    with pytest.raises(ValidationError):
        book(clinic, admin, patient=PatientFactory(), double_book=True)
    extra = book(
        clinic,
        admin,
        patient=PatientFactory(),
        double_book=True,
        override_reason="Urgent, seen between visits",
    )
    assert extra.is_double_booked is True
    assert Appointment.objects.filter(start=extra.start).count() == 2


def test_outside_working_hours_is_refused(clinic, make_user):
    with pytest.raises(OutsideAvailability) as caught:
        book(clinic, make_user("Front desk"), hour=18)
    assert caught.value.message == str(OUTSIDE_HOURS)


def test_a_visit_needing_a_room_takes_a_free_one_or_is_refused(clinic, make_user):
    clerk = make_user("Front desk")
    infusion = AppointmentTypeFactory(room_kind=Room.Kind.INFUSION_CHAIR)
    chair = RoomFactory(location=clinic["location"], kind=Room.Kind.INFUSION_CHAIR)
    first = book(clinic, clerk, appointment_type=infusion)
    assert first.room == chair
    with pytest.raises(SlotTaken) as caught:
        book(
            clinic,
            clerk,
            appointment_type=infusion,
            provider=clinic["other_provider"],
            patient=PatientFactory(),
        )
    assert caught.value.message == str(NO_ROOM_FREE)
    second_chair = RoomFactory(
        location=clinic["location"], kind=Room.Kind.INFUSION_CHAIR
    )
    second = book(
        clinic,
        clerk,
        appointment_type=infusion,
        provider=clinic["other_provider"],
        patient=PatientFactory(),
    )
    assert second.room == second_chair


def test_the_database_itself_refuses_overlaps_of_provider_and_room(clinic):
    chair = RoomFactory(location=clinic["location"], kind=Room.Kind.INFUSION_CHAIR)
    first = AppointmentFactory(
        provider=clinic["provider"], location=clinic["location"], room=chair
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(
            provider=clinic["provider"], start=first.start + timedelta(minutes=10)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(room=chair, start=first.start)
    # A cancelled visit holds no time.
    AppointmentFactory(
        provider=clinic["provider"], start=first.start, status=S.CANCELLED
    )


def test_cancelling_needs_a_reason_and_frees_the_time(clinic, make_user):
    clerk = make_user("Front desk")
    appointment = book(clinic, clerk)
    with pytest.raises(ValidationError):
        services.appointment_cancel(appointment=appointment, reason=" ", actor=clerk)
    cancelled = services.appointment_cancel(
        appointment=appointment, reason="Patient is travelling", actor=clerk
    )
    assert (cancelled.status, cancelled.cancel_reason) == (
        S.CANCELLED,
        "Patient is travelling",
    )
    assert cancelled.cancelled_by == clerk
    assert (
        cancelled.history.first().history_change_reason
        == "cancelled: Patient is travelling"
    )
    assert book(clinic, clerk, patient=PatientFactory()).pk != appointment.pk


def test_rescheduling_moves_the_visit_or_refuses_a_taken_time(clinic, make_user):
    clerk = make_user("Front desk")
    appointment = book(clinic, clerk)
    book(clinic, clerk, hour=11, patient=PatientFactory())
    moved = services.appointment_reschedule(
        appointment=appointment, start=local(next_weekday(), 10), actor=clerk
    )
    assert moved.start == local(next_weekday(), 10)
    assert moved.end == local(next_weekday(), 10, 30)
    with pytest.raises(SlotTaken):
        services.appointment_reschedule(
            appointment=appointment, start=local(next_weekday(), 11, 15), actor=clerk
        )
    appointment.refresh_from_db()
    assert appointment.start == local(next_weekday(), 10)


def test_the_visit_walks_through_its_statuses_with_stamps(clinic, make_user):
    clerk, nurse = make_user("Front desk"), make_user("Nurse")
    appointment = book(clinic, clerk)
    appointment = services.appointment_confirm(appointment=appointment, actor=clerk)
    appointment = reach_visit(appointment)
    appointment = services.appointment_check_in(
        appointment=appointment, actor=clerk, copay_collected=Decimal("25.00")
    )
    appointment = services.appointment_room(appointment=appointment, actor=nurse)
    appointment = services.appointment_complete(appointment=appointment, actor=nurse)
    assert appointment.status == S.COMPLETED
    assert appointment.confirmed_by == clerk and appointment.arrived_by == clerk
    assert appointment.in_room_by == nurse and appointment.completed_by == nurse
    assert appointment.copay_collected == Decimal("25.00")
    assert (
        appointment.confirmed_at
        <= appointment.arrived_at
        <= appointment.in_room_at
        <= appointment.completed_at
    )
    reasons = [
        h.history_change_reason for h in appointment.history.order_by("history_id")
    ]
    assert reasons == ["booked", "confirmed", "arrived", "in_room", "completed"]


@pytest.mark.parametrize(
    ("walk", "target"),
    [
        ([], S.COMPLETED),
        ([], S.IN_ROOM),
        ([S.ARRIVED, S.IN_ROOM, S.COMPLETED], S.CANCELLED),
        ([S.CONFIRMED], S.CONFIRMED),
        ([S.ARRIVED], S.NO_SHOW),
    ],
)
def test_invalid_status_changes_are_refused(clinic, make_user, walk, target):
    clerk = make_user("Front desk")
    appointment = reach_visit(book(clinic, clerk))
    for step in walk:
        appointment = services.QUICK_ACTIONS[step](appointment=appointment, actor=clerk)
    before = appointment.status
    with pytest.raises(InvalidTransition):
        if target == S.CANCELLED:
            services.appointment_cancel(
                appointment=appointment, reason="x", actor=clerk
            )
        else:
            services.QUICK_ACTIONS[target](appointment=appointment, actor=clerk)
    appointment.refresh_from_db()
    assert appointment.status == before


def test_a_visit_not_checked_in_becomes_a_no_show_with_a_follow_up_task(
    clinic, settings, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    settings.SCHEDULING_NO_SHOW_MINUTES = 30
    now = timezone.now()
    late = AppointmentFactory(start=now - timedelta(minutes=40))
    recent = AppointmentFactory(start=now - timedelta(minutes=10))
    arrived = AppointmentFactory(start=now - timedelta(minutes=50), status=S.ARRIVED)
    assert services.no_show_sweep(now=now) == 1
    assert services.no_show_sweep(now=now) == 0
    late.refresh_from_db()
    recent.refresh_from_db()
    arrived.refresh_from_db()
    assert (late.status, recent.status, arrived.status) == (
        S.NO_SHOW,
        S.SCHEDULED,
        S.ARRIVED,
    )
    assert late.no_show_by is None and late.no_show_at is not None
    alert = StaffAlert.objects.get()
    assert alert.key == f"no-show:{late.pk}"
    assert (alert.kind, alert.assigned_role, alert.patient) == (
        "no_show_follow_up",
        "Front desk",
        late.patient,
    )


def test_the_no_show_sweeper_is_registered_with_dispatch_due():
    from clinic.dispatch import SWEEPERS

    assert "scheduling.sweepers.mark_no_shows" in SWEEPERS
    assert "scheduling.sweepers.verify_tomorrows_eligibility" in SWEEPERS


def test_the_nightly_check_verifies_tomorrows_visits_with_the_payer(clinic):
    from django.utils import timezone

    from registration.models import EligibilityCheck
    from scheduling import selectors
    from tests.registration.factories import CoverageFactory

    now = timezone.now()
    tomorrow = timezone.localdate() + timedelta(days=1)
    ok = AppointmentFactory(start=local(tomorrow, 9), patient=PatientFactory())
    bad = AppointmentFactory(start=local(tomorrow, 10), patient=PatientFactory())
    uninsured = AppointmentFactory(start=local(tomorrow, 11), patient=PatientFactory())
    later = AppointmentFactory(start=local(tomorrow + timedelta(days=1), 9))
    CoverageFactory(patient=ok.patient, member_id="MEM0000123")  # simulated: active
    CoverageFactory(patient=bad.patient, member_id="MEM0000129")  # ends in 9: inactive
    assert services.eligibility_sweep(now=now) == 2
    assert services.eligibility_sweep(now=now) == 0  # once a day
    for appointment in (ok, bad, uninsured, later):
        appointment.refresh_from_db()
    assert (ok.eligibility_status, bad.eligibility_status) == ("verified", "failed")
    assert (uninsured.eligibility_status, later.eligibility_status) == ("", "")
    assert EligibilityCheck.objects.filter(patient=ok.patient).get().result == "active"
    assert selectors.eligibility_state(ok, now) == "verified"
    assert selectors.eligibility_state(ok, now + timedelta(hours=40)) == "stale"
    assert selectors.eligibility_state(later, now) == "unchecked"
