"""Reminder sending benchmark (make bench): 10,000 due reminders sent by two real
RQ workers (``rqworker notifications``) through the real twilio client to a fake
Twilio on 127.0.0.1, beside a bare loop of the same client against the same server
(the limit). Prints messages per second and the count the server received.
Targets: exactly 10,000 received, at least 500/s, at least half the bare loop's
rate. Figures, not asserts (except the count)."""

import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import Notification, NumberConsent
from clinic.dispatch import dispatch_due
from registration.models import Patient
from tests.alerts.conftest import AUTH_TOKEN, process_env, start_process
from tests.alerts.fake_twilio import FakeTwilio

pytestmark = pytest.mark.django_db(transaction=True)

REMINDERS = int(os.environ.get("BENCH_REMINDERS", 10_000))
RUNS = int(os.environ.get("BENCH_REMINDER_RUNS", 3))
WORKERS = 2
BARE = 3_000  # messages in the bare loop


def _patients() -> list[Patient]:
    Patient.objects.bulk_create(
        [
            Patient(
                mrn=f"R{i:07d}",
                given_name="Bench",
                family_name=f"R{i}",
                birth_date="1970-01-01",
                phone_mobile=f"+1555{i:07d}",
                sms_consent=True,
                sms_consent_method="written",
            )
            for i in range(REMINDERS)
        ],
        batch_size=2000,
    )
    # The outbox asks the number's consent (alerts.texting).
    NumberConsent.objects.bulk_create(
        [
            NumberConsent(number=f"+1555{i:07d}", state="in", source="registration")
            for i in range(REMINDERS)
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return list(Patient.objects.filter(mrn__startswith="R").order_by("mrn"))


def _due_reminders(patients, run: int) -> None:
    due = timezone.now() - timedelta(minutes=1)
    Notification.objects.bulk_create(
        [
            Notification(
                patient=patient,
                channel="sms",
                address=str(patient.phone_mobile),
                body=f"Run {run}: Bench, see you tomorrow at 10:00. Reply C to "
                f"confirm, R to ask for a call, STOP to opt out. #{n}",
                scheduled_for=due,
                due_at=due,
            )
            for n, patient in enumerate(patients)
        ],
        batch_size=2000,
    )


BARE_LOOP = """
import sys, time
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
sid, token, url, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
client = Client(sid, token, http_client=TwilioHttpClient(timeout=10))
client.api.base_url = url
started = time.perf_counter()
for n in range(count):
    client.messages.create(to=f"+1556{n:07d}", from_="+15005550006", body=f"bare {n}")
print(count / (time.perf_counter() - started))
"""


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _bare_loop(server: FakeTwilio) -> float:
    """The same twilio client in a plain loop, in its own process (as the workers
    are), against the same server: the rate the server allows one sender."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            BARE_LOOP,
            server.account_sid,
            AUTH_TOKEN,
            server.url,
            str(BARE),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return float(result.stdout.strip())


def test_bench_ten_thousand_reminders_through_two_rq_workers(redis_url):
    patients = _patients()
    app_rates, bare_rates, steady_rates, received = [], [], [], []
    worker_cpu, bare_cpu = [], []  # CPU ms per message (the machine is shared)
    for run in range(RUNS):
        server = FakeTwilio().start()
        try:
            before = _cpu(resource.RUSAGE_CHILDREN)
            bare_rates.append(_bare_loop(server))
            bare_cpu.append((_cpu(resource.RUSAGE_CHILDREN) - before) * 1000 / BARE)
            server.messages.clear()
            server.times.clear()
            _due_reminders(patients, run)
            env = process_env(redis_url=redis_url, twilio=server)
            env["LOG_LEVEL"] = "WARNING"
            started = time.perf_counter()
            children, own = _cpu(resource.RUSAGE_CHILDREN), _cpu(resource.RUSAGE_SELF)
            dispatch_due()  # enqueues the sending jobs (as cron would)
            workers = [
                start_process(["rqworker", "notifications", "--burst"], env)
                for _ in range(WORKERS)
            ]
            for worker in workers:
                _out, err = worker.communicate(timeout=900)
                assert worker.returncode == 0, err[-2000:]
            elapsed = time.perf_counter() - started
            # Workers and their work horses (reaped by them); this process: the
            # fake Twilio's threads and dispatch_due.
            children = _cpu(resource.RUSAGE_CHILDREN) - children
            own = _cpu(resource.RUSAGE_SELF) - own
        finally:
            server.stop()
        count = len(server.messages)
        received.append(count)
        app_rates.append(count / elapsed)
        steady = count / max(server.times[-1] - server.times[0], 1e-6)
        steady_rates.append(steady)
        worker_cpu.append(children * 1000 / count)
        assert count == REMINDERS
        assert len({m["to"] for m in server.messages}) == REMINDERS
        assert Notification.objects.filter(status="sent").count() == REMINDERS * (
            run + 1
        )
        print(
            f"\nreminders run {run + 1}: {count} received in {elapsed:.1f} s = "
            f"{count / elapsed:.0f} msg/s (2 RQ workers, from dispatch_due to both "
            f"workers done, start-up included; {steady:.0f} msg/s first to last "
            f"message); bare twilio loop {bare_rates[-1]:.0f} msg/s; CPU per "
            f"message: workers {worker_cpu[-1]:.2f} ms, fake Twilio + dispatch_due "
            f"{own * 1000 / count:.2f} ms, bare loop client {bare_cpu[-1]:.2f} ms"
        )
    app, bare = statistics.median(app_rates), statistics.median(bare_rates)
    print(
        f"\nREMINDERS median of {RUNS}: {app:.0f} msg/s through 2 RQ workers "
        f"({statistics.median(steady_rates):.0f} msg/s first to last message) "
        f"(target >= 500), bare twilio loop {bare:.0f} msg/s, ratio {app / bare:.2f} "
        f"(target >= 0.5); CPU per message: workers "
        f"{statistics.median(worker_cpu):.2f} ms, bare loop client "
        f"{statistics.median(bare_cpu):.2f} ms; fake Twilio received {received} "
        f"(target exactly "
        f"{REMINDERS} each run); load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs"
    )
