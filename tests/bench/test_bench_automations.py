"""Benchmarks (make bench): what automations cost the service that publishes, and
how fast the engine works through events (issue #22: at least ``TARGET_RUNS`` runs a
second on one process, asserted). The load average is printed with the figures: on
a machine shared with other work, compare runs made under the same load."""

import os
import statistics
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from automations.events import publish
from automations.models import AutomationRun
from automations.sweepers import automations_sweep
from scheduling import services as scheduling
from scheduling.models import Appointment
from tests.automations.factories import ActionFactory, AutomationFactory
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import (
    AppointmentTypeFactory,
    LocationFactory,
    ProviderFactory,
    local,
    next_weekday,
    weekly_hours,
)

pytestmark = pytest.mark.django_db

EVENTS = 500
RUNS = 5
TARGET_RUNS = 500  # runs a second, 10 automations an event


def _automations(n: int = 10):
    for i in range(n):
        automation = AutomationFactory(trigger="appointment.booked", name=f"A{i}")
        ActionFactory(automation=automation, position=0, title="Task {patient}")


def test_bench_publish_cost_and_engine_throughput():
    location = LocationFactory(code="main")
    provider = ProviderFactory()
    weekly_hours(provider, location, weekdays=range(7))
    visit = AppointmentTypeFactory(duration_minutes=15)
    patients = [PatientFactory() for _ in range(EVENTS)]
    _automations()
    day = next_weekday()

    # One booking: queries and time of publish() inside appointment_book.
    appointment = scheduling.appointment_book(
        patient=patients[0],
        appointment_type=visit,
        provider=provider,
        location=location,
        start=local(day, 8),
        actor=None,
    )
    publish_times, publish_queries = [], []
    for _ in range(50):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            publish("appointment.booked", subject=appointment)
            publish_times.append(time.perf_counter() - started)
        publish_queries.append(len(queries))

    # The engine: EVENTS events × 10 matching automations, one sweep.
    sweeps = []
    for _ in range(RUNS):
        for patient in patients[: EVENTS // RUNS]:
            publish("appointment.booked", patient=patient, subject=appointment)
        started = time.perf_counter()
        automations_sweep(timezone.now() + timedelta(minutes=1))
        sweeps.append((time.perf_counter() - started, EVENTS // RUNS))
    per_event = [seconds / count for seconds, count in sweeps]
    runs_a_second = 10 / statistics.median(per_event)
    print(
        f"\npublish(): median {statistics.median(publish_times) * 1000:.2f} ms, "
        f"{statistics.median(publish_queries):.0f} queries (facts and event row)"
        f"\nengine: median {statistics.median(per_event) * 1000:.1f} ms per event "
        f"with 10 automations each making a task: {runs_a_second:.0f} runs/s on one "
        f"process (target {TARGET_RUNS}); load average {os.getloadavg()[0]:.1f}"
    )
    assert Appointment.objects.count() == 1
    assert AutomationRun.objects.count() >= EVENTS * 10
    assert not AutomationRun.objects.exclude(status="done").exists()
    assert runs_a_second >= TARGET_RUNS
