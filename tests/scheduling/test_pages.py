import csv
import io
from datetime import time, timedelta

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import AccessLog
from scheduling.chart_panel import chart_panel
from scheduling.models import Appointment, AvailabilityRule, Provider, Room
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    ProviderFactory,
    RoomFactory,
    local,
    next_weekday,
)

pytestmark = pytest.mark.django_db
S = Appointment.Status


@pytest.fixture
def frontdesk(client, make_user):
    user = make_user("Front desk")
    client.force_login(user)
    return user


def _is_access_log_query(sql: str) -> bool:
    return "clinic_accesslog" in sql or "pg_advisory_xact_lock" in sql


def test_a_day_of_40_providers_and_800_visits_renders_in_a_fixed_number_of_queries(
    client, frontdesk, django_assert_max_num_queries
):
    location = LocationFactory(code="main")
    types = [
        AppointmentTypeFactory(duration_minutes=30, colour=c)
        for c in ("blue", "green", "orange", "purple")
    ]
    rooms = [RoomFactory(location=location, name=f"Exam {i}") for i in range(40)]
    providers = [ProviderFactory() for _ in range(40)]
    day = next_weekday()
    patients = PatientFactory.create_batch(200)
    rows = []
    for p_index, provider in enumerate(providers):
        for slot in range(20):
            start = local(day, 8) + timedelta(minutes=30 * slot)
            rows.append(
                Appointment(
                    patient=patients[(p_index * 20 + slot) % 200],
                    provider=provider,
                    location=location,
                    room=rooms[p_index],
                    appointment_type=types[slot % 4],
                    start=start,
                    end=start + timedelta(minutes=30),
                    status=[S.SCHEDULED, S.ARRIVED, S.NO_SHOW, S.COMPLETED][slot % 4],
                )
            )
    Appointment.objects.bulk_create(rows)
    url = reverse("scheduling:day") + f"?date={day:%Y-%m-%d}"
    client.get(reverse("scheduling:day"))  # fills the filter-choices cache (1 minute)
    logged_before = AccessLog.objects.count()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    # The schedule itself: at most 14 queries (2 of them the providers' working
    # sessions, for closed hours). The one access-log row that every page
    # showing patients writes (DESIGN invariant 2) costs its own 3, counted apart.
    logging = [q for q in captured if _is_access_log_query(q["sql"])]
    assert len(captured) - len(logging) <= 14
    assert len(logging) == 3
    assert AccessLog.objects.count() == logged_before + 1
    assert (
        AccessLog.objects.order_by("-id").first().what.startswith("schedule day view")
    )
    assert response.context["count"] == 800
    html = response.content.decode()
    assert html.count('class="appt appt-') == 800
    assert "1 no-show" in html or "no-shows" in html
    with CaptureQueriesContext(connection) as captured:
        by_room = client.get(url + "&by=room")
    logging = [q for q in captured if _is_access_log_query(q["sql"])]
    assert len(captured) - len(logging) <= 12
    assert by_room.context["count"] == 800
    assert len(by_room.context["columns"]) == 40


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-02-30"])
def test_a_search_from_an_impossible_day_says_so(client, frontdesk, clinic, day):
    response = client.get(
        reverse("scheduling:find"),
        {"appointment_type": clinic["type"].pk, "start_day": day},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["start_day"]
    assert not response.context.get("slots")


def test_front_desk_finds_a_slot_and_books_it(client, frontdesk, clinic):
    patient = clinic["patient"]
    response = client.get(
        reverse("scheduling:find"),
        {
            "patient": patient.mrn,
            "appointment_type": clinic["type"].pk,
            "provider": clinic["provider"].pk,
            "start_day": f"{next_weekday():%Y-%m-%d}",
        },
    )
    assert response.status_code == 200
    slot, book_url = response.context["slots"][0]
    assert slot.start == local(next_weekday(), 8)
    form_page = client.get(book_url)
    assert form_page.status_code == 200
    form = form_page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update(patient=patient.mrn, notes="", repeat_weeks=1, override_reason="")
    data["patient_shown"] = patient.mrn  # the page showed whose MRN it is
    response = client.post(book_url, data)
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == appointment.get_absolute_url()
    assert (appointment.patient, appointment.start, appointment.booked_by) == (
        patient,
        local(next_weekday(), 8),
        frontdesk,
    )
    # The same slot again: a clear refusal with the next free times, no 500.
    other = PatientFactory().mrn
    again = client.post(book_url, {**data, "patient": other, "patient_shown": other})
    assert again.status_code == 200
    assert "That time was just taken" in again.content.decode()
    assert again.context["alternatives"][0][0].start == local(next_weekday(), 8, 30)


def test_booking_for_an_unknown_mrn_is_a_form_error(client, frontdesk, clinic):
    response = client.post(
        reverse("scheduling:book"),
        {
            "patient": "NOPE",
            "appointment_type": clinic["type"].pk,
            "provider": clinic["provider"].pk,
            "location": clinic["location"].pk,
            "start": f"{next_weekday():%Y-%m-%d} 09:00",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["patient"] == [
        "No patient has the MRN NOPE."
    ]
    assert Appointment.objects.count() == 0


def test_check_in_from_the_day_view_swaps_the_chip(client, frontdesk):
    appointment = AppointmentFactory(start=timezone.now() + timedelta(minutes=5))
    response = client.post(
        reverse("scheduling:appointment-action", args=[appointment.pk]),
        {"action": "arrived"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'data-status="arrived"' in response.content.decode()
    appointment.refresh_from_db()
    assert (appointment.status, appointment.arrived_by) == (S.ARRIVED, frontdesk)
    # A second check-in is refused with a message inside the chip.
    again = client.post(
        reverse("scheduling:appointment-action", args=[appointment.pk]),
        {"action": "arrived"},
        HTTP_HX_REQUEST="true",
    )
    assert "cannot become Arrived" in again.content.decode()


def test_check_in_page_records_the_copay_and_logs_the_look(client, frontdesk):
    appointment = AppointmentFactory(start=timezone.now() + timedelta(minutes=5))
    url = reverse("scheduling:appointment-check-in", args=[appointment.pk])
    assert client.get(url).status_code == 200
    assert AccessLog.objects.filter(patient=appointment.patient).count() == 1
    response = client.post(url, {"copay_collected": "20.00"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == S.ARRIVED
    assert str(appointment.copay_collected) == "20.00"


def test_cancel_asks_a_reason_then_shows_waitlist_candidates(client, frontdesk):
    appointment = AppointmentFactory(start=timezone.now() + timedelta(days=2))
    url = reverse("scheduling:appointment-cancel", args=[appointment.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    response = client.post(url, {"reason": "Feeling better"})
    assert response["Location"] == reverse(
        "scheduling:appointment-candidates", args=[appointment.pk]
    )
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancel_reason) == (
        S.CANCELLED,
        "Feeling better",
    )
    assert client.get(response["Location"]).status_code == 200


def test_move_form_moves_the_visit(client, frontdesk, clinic):
    appointment = AppointmentFactory(
        provider=clinic["provider"],
        location=clinic["location"],
        appointment_type=clinic["type"],
        start=local(next_weekday(), 9),
    )
    url = reverse("scheduling:appointment-move", args=[appointment.pk])
    partial = client.get(url, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert partial.content.decode().count("<form") == 1
    taken = AppointmentFactory(
        provider=clinic["other_provider"],
        location=clinic["location"],
        appointment_type=clinic["type"],
        start=local(next_weekday(), 15),
    )
    refused = client.post(
        url,
        {
            "date": f"{next_weekday():%Y-%m-%d}",
            "time": "15:00",
            "provider": taken.provider.pk,
            "next": "/schedule/",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "That time was just taken" in refused.content.decode()
    moved_by_htmx = client.post(
        url,
        {
            "date": f"{next_weekday():%Y-%m-%d}",
            "time": "13:00",
            "provider": clinic["provider"].pk,
            "next": "/schedule/",
        },
        HTTP_HX_REQUEST="true",
    )
    assert moved_by_htmx["HX-Redirect"] == "/schedule/"
    response = client.post(
        url,
        {
            "date": f"{next_weekday():%Y-%m-%d}",
            "time": "14:00",
            "provider": clinic["other_provider"].pk,
        },
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == local(next_weekday(), 14)
    assert appointment.provider == clinic["other_provider"]


def test_today_list_groups_visits_and_counts_minutes_waited(client, frontdesk):
    now = timezone.now()
    AppointmentFactory(start=now + timedelta(minutes=30))
    waiting = AppointmentFactory(start=now - timedelta(minutes=5), status=S.ARRIVED)
    waiting.arrived_at = now - timedelta(minutes=12)
    waiting.save()
    response = client.get(reverse("scheduling:today"))
    board = response.context["board"]
    if timezone.localtime(now - timedelta(minutes=5)).date() == timezone.localdate():
        assert [a.pk for a in board["waiting"]] == [waiting.pk]
        assert board["waiting"][0].minutes_waited == 12


def test_the_ics_feed_parses_has_no_patient_names_and_can_be_revoked(client, make_user):
    location = LocationFactory(code="main", name="Main Street Clinic")
    provider = ProviderFactory(feed_token=Provider.new_feed_token())
    patient = PatientFactory(given_name="Zebedee", family_name="Quillfeather")
    room = RoomFactory(location=location, name="Exam 3")
    visit = AppointmentTypeFactory(name="Annual physical")
    AppointmentFactory(
        provider=provider,
        patient=patient,
        location=location,
        room=room,
        appointment_type=visit,
        start=timezone.now() + timedelta(days=1),
    )
    AppointmentFactory(
        provider=provider,
        patient=patient,
        start=timezone.now() + timedelta(days=2),
        status=S.CANCELLED,
    )
    url = reverse("scheduling:feed", args=[provider.feed_token])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "Zebedee" not in body and "Quillfeather" not in body
    assert patient.mrn not in body
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["summary"]) == "Annual physical"
    assert str(events[0]["location"]) == "Main Street Clinic, Exam 3"
    # Revoking from the providers page kills the URL at once.
    admin = make_user("Administrator")
    client.force_login(admin)
    client.post(
        reverse("scheduling:provider-feed", args=[provider.pk]), {"action": "revoke"}
    )
    client.logout()
    assert client.get(url).status_code == 404


def test_metrics_page_and_csv(client, make_user):
    client.force_login(make_user("Administrator"))
    location = LocationFactory(code="main")
    provider = ProviderFactory(name="Dr Metric")
    today = timezone.localdate()
    for weekday in range(7):
        AvailabilityRule.objects.create(
            provider=provider,
            location=location,
            weekday=weekday,
            start_time=time(8),
            end_time=time(12),
        )
    visit = AppointmentTypeFactory(name="Check", duration_minutes=60)
    for offset, status in enumerate([S.COMPLETED, S.NO_SHOW, S.CANCELLED, S.COMPLETED]):
        AppointmentFactory(
            provider=provider,
            location=location,
            appointment_type=visit,
            start=local(today - timedelta(days=offset + 1), 9),
            status=status,
        )
    url = reverse("scheduling:metrics")
    params = {
        "start": f"{today - timedelta(days=7):%Y-%m-%d}",
        "end": f"{today - timedelta(days=1):%Y-%m-%d}",
    }
    response = client.get(url, params)
    assert response.status_code == 200
    row = response.context["by_provider"][0]
    assert (row.total, row.no_show, row.cancelled) == (4, 1, 1)
    assert row.no_show_rate == pytest.approx(1 / 3)
    assert "<svg" in response.content.decode()
    exported = client.get(url, {**params, "format": "csv"})
    assert exported["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(exported.content.decode())))
    assert table[0][:4] == ["section", "name", "week", "visits"]
    provider_row = next(r for r in table if r[0] == "provider")
    assert provider_row[1:7] == ["Dr Metric, MD", "", "4", "1", "0.333", "1"]
    booked = sum(int(r[9]) for r in table if r[0] == "utilisation")
    available = sum(int(r[10]) for r in table if r[0] == "utilisation")
    assert (booked, available) == (180, 7 * 240)


def test_chart_panel_lists_appointments_with_no_show_count_in_bounded_queries(
    make_user, django_assert_max_num_queries
):
    patient = PatientFactory()
    now = timezone.now()
    for days in range(1, 15):
        AppointmentFactory(patient=patient, start=now + timedelta(days=days))
        AppointmentFactory(
            patient=patient, start=now - timedelta(days=days), status=S.NO_SHOW
        )
    user = make_user("Front desk")
    user.has_perm("scheduling.view_appointment")  # warm the permission cache
    with django_assert_max_num_queries(3):
        panel = chart_panel(patient=patient, user=user)
    assert len(panel["upcoming"]) == 10 and len(panel["past"]) == 10
    assert panel["no_show_count"] == 14
    assert panel["find_url"].endswith(f"?patient={patient.mrn}")
    billing = make_user("Billing")
    assert chart_panel(patient=patient, user=billing) == {"visible": False}


def test_week_view_and_room_needs(client, frontdesk):
    provider = ProviderFactory()
    AppointmentFactory(provider=provider, start=local(next_weekday(), 10))
    response = client.get(
        reverse("scheduling:week"),
        {"provider": provider.pk, "date": f"{next_weekday():%Y-%m-%d}"},
    )
    assert response.status_code == 200
    assert response.content.decode().count('class="appt appt-') == 1
    assert Room.Kind.INFUSION_CHAIR == "infusion_chair"


def test_check_in_shows_the_eligibility_warning_and_copay_from_registration(
    client, frontdesk
):
    from decimal import Decimal

    from tests.registration.factories import CoverageFactory, EligibilityCheckFactory

    appointment = AppointmentFactory(start=timezone.now() + timedelta(minutes=5))
    coverage = CoverageFactory(patient=appointment.patient)
    long_ago = timezone.now() - timedelta(days=45)
    EligibilityCheckFactory(
        coverage=coverage,
        result="active",
        copay=Decimal("35.00"),
        requested_at=long_ago,
        completed_at=long_ago,
    )
    url = reverse("scheduling:appointment-check-in", args=[appointment.pk])
    page = client.get(url).content.decode()
    assert "Last verified 45 days ago: verify again." in page
    assert "35.00" in page
    client.post(url, {"copay_collected": "35.00"})
    appointment.refresh_from_db()
    assert (appointment.copay_due, appointment.copay_collected) == (
        Decimal("35.00"),
        Decimal("35.00"),
    )
