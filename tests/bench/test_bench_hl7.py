"""Benchmarks (make bench): HL7 result import (issue #22: at least
``TARGET_MESSAGES`` ORU messages of 9 OBX a second, asserted) and the chart's tests
panel. The load average is printed with the figures."""

import os
import statistics
import time

import pytest

from diagnostics.chart_panel import chart_panel
from diagnostics.hl7v2.importer import hl7_receive
from diagnostics.hl7v2.writer import oru_message
from diagnostics.models import Observation
from tests.diagnostics.factories import clinician, make_order
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db

MESSAGES = 40
RUNS = 5
TARGET_MESSAGES = 300  # a second, 9 OBX each
CBC = [
    ("WBC", "6.8", ""), ("RBC", "4.6", ""), ("HGB", "13.8", ""), ("HCT", "41.2", ""),
    ("MCV", "89", ""), ("MCH", "30", ""), ("MCHC", "33.5", ""), ("RDW", "13.1", ""),
    ("PLT", "245", ""),
]  # fmt: skip


def test_bench_hl7_import_of_full_cbc_messages():
    doctor = clinician()
    rates, cpu_rates = [], []
    for run in range(RUNS):
        texts = []
        for number in range(MESSAGES):
            order = make_order(actor=doctor)
            values = [(c, v, f, "F") for c, v, f in CBC]
            texts.append(
                oru_message(order=order, results=values, control_id=f"B{run}-{number}")
            )
        batch = "".join(texts)
        started, cpu_started = time.perf_counter(), time.process_time()
        outcomes = hl7_receive(text=batch, source="bench")
        rates.append(MESSAGES / (time.perf_counter() - started))
        cpu_rates.append(MESSAGES / (time.process_time() - cpu_started))
        assert all(o.ok for o in outcomes)
    rate = statistics.median(rates)
    print(
        f"\nHL7 import: {rate:.0f} ORU messages/s with 9 OBX each (median of {RUNS} "
        f"files of {MESSAGES}; target {TARGET_MESSAGES}); "
        f"{statistics.median(cpu_rates):.0f} a CPU-second of the importing process "
        f"(PostgreSQL's CPU not counted); load average {os.getloadavg()[0]:.1f}"
    )
    assert Observation.objects.count() == RUNS * MESSAGES * 9
    assert rate >= TARGET_MESSAGES


def test_bench_chart_panel_for_a_patient_with_many_orders(make_user):
    doctor = clinician()
    patient = PatientFactory()
    for number in range(30):
        order = make_order(patient=patient, actor=doctor)
        values = [(c, v, f, "F") for c, v, f in CBC]
        hl7_receive(
            text=oru_message(order=order, results=values, control_id=f"C{number}")
        )
    times = []
    for _ in range(RUNS * 2):
        started = time.perf_counter()
        context = chart_panel(patient=patient, user=doctor)
        times.append(time.perf_counter() - started)
    assert len(context["trends"]) == 3
    print(
        f"\nchart tests panel: {statistics.median(times) * 1000:.1f} ms for a patient "
        f"with 30 CBC orders (median of {RUNS * 2})"
    )
