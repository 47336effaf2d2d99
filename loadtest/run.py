"""``python -m loadtest [load|chaos]`` inside ``scripts/test.sh --load``: the clinic
in production mode on the throwaway servers, driven by locust.

The seeded clinic is kept as ``var/loadtest/clinic-<patients>.dump`` (pg_dump) and
restored on the next run, so the 100,000-patient seed is paid once.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from loadtest import chaos, tables
from loadtest.tables import uptime
from tests.alerts.fake_twilio import FakeTwilio

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BIN = Path(PY).parent
AUTH_TOKEN = "load-test-auth-token"


def setting(name: str, default: str) -> str:
    return os.environ.get(name) or default


PATIENTS = int(setting("LOADTEST_PATIENTS", "100000"))
SECONDS = int(setting("LOADTEST_SECONDS", "90"))
USERS = [int(n) for n in setting("LOADTEST_USERS", "10 25 50 100").split()]
WORKERS = setting("LOADTEST_GUNICORN_WORKERS", "3")
THREADS = setting("LOADTEST_GUNICORN_THREADS", "4")
DRAIN = int(setting("LOADTEST_DRAIN_SECONDS", "420"))


class Clinic:
    """The production processes of one clinic, on the throwaway servers."""

    def __init__(self, work: Path):
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        self.url = f"http://127.0.0.1:{setting('LOADTEST_PORT', '8765')}"
        self.twilio = FakeTwilio().start()
        self.processes: dict[str, subprocess.Popen] = {}
        self.stopping = threading.Event()
        self.restarts: list[dict] = []
        db = os.environ["MIGRATE_DATABASE_URL"].rsplit("/", 1)[0]
        self.owner_url = f"{db}/loadtest"
        self.env = {
            **os.environ,
            "DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/loadtest",
            "MIGRATE_DATABASE_URL": self.owner_url,
            "DJANGO_SETTINGS_MODULE": "clinic.settings",
            "PYTHONPATH": str(ROOT),
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": self.twilio.account_sid,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": "+15005550006",
            "TWILIO_API_BASE": self.twilio.url,
            "TWILIO_TIMEOUT_SECONDS": "2",
            "OTP_REQUIRED_ROLES": "",
            "CLEARINGHOUSE_DIR": str(work / "clearinghouse"),
            "LOADTEST_835_DIR": str(work / "835"),
            "LOADTEST_LEDGER": str(work / "ledger.jsonl"),
            "LOADTEST_ANSWERS": str(work / "answers.jsonl"),
            "LOADTEST_LOGINS": str(work / "logins.jsonl"),
            "LOADTEST_PATIENTS": str(PATIENTS),
            # Logins from one address, many users: no lock-out for the load.
            "AXES_ADDRESS_FAILURE_LIMIT": "100000",
        }

    def manage(self, *args: str, owner: bool = False, quiet: bool = False) -> None:
        env = {**self.env, "DB_STATEMENT_TIMEOUT_MS": "0"}
        if owner:
            env["DATABASE_URL"] = self.owner_url
        out = subprocess.DEVNULL if quiet else None
        subprocess.run([PY, *args], cwd=ROOT, env=env, check=True, stdout=out)

    def database(self) -> None:
        """The seeded clinic: restored from its dump, or seeded and dumped."""
        dump = ROOT / "var" / "loadtest" / f"clinic-{PATIENTS}.dump"
        psql = [os.environ["PG_BIN"] + "/psql", "-q", "-d", self.owner_url]
        admin = [*psql[:-1], self.owner_url.replace("/loadtest", "/postgres")]
        subprocess.run([*admin, "-c", "CREATE DATABASE loadtest"], check=True)
        started = time.monotonic()
        if dump.exists():
            print(f"== restoring {dump.name}")
            subprocess.run(
                [os.environ["PG_BIN"] + "/pg_restore", "-j", "2", "-d", self.owner_url]
                + [str(dump)],
                check=True,
            )
            # A dump kept from an older checkout: bring its schema up to this one.
            self.manage("manage.py", "migrate", "--noinput", quiet=True)
        else:
            print(f"== seeding {PATIENTS} patients and a month of visits (once)")
            self.manage("manage.py", "migrate", "--noinput", quiet=True)
            self.manage(
                "manage.py", "seed_demo", f"--patients={PATIENTS}", "--days=30",
                owner=True, quiet=True,
            )  # fmt: skip
            dump.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [os.environ["PG_BIN"] + "/pg_dump", "-Fc", "-f", str(dump)]
                + [self.owner_url],
                check=True,
            )
        print(f"   ready in {time.monotonic() - started:.0f} s")
        subprocess.run([*psql, "-c", "ANALYZE"], check=True)

    def morning(self, seconds: int) -> None:
        self.env["LOADTEST_RUN_SECONDS"] = str(seconds)
        self.manage("-m", "loadtest.seed", "morning", owner=True)

    def start(self, name: str, *args: str) -> subprocess.Popen:
        with open(self.work / f"{name}.log", "a") as log:
            process = subprocess.Popen(
                args, cwd=ROOT, env=self.env, stdout=log, stderr=log,
                start_new_session=True,
            )  # fmt: skip
        self.processes[name] = process
        return process

    WORKER = (
        PY, "manage.py", "rqworker", "default", "notifications", "billing",
        "reports", "--with-scheduler",
    )  # fmt: skip
    SUPERVISED = {
        "worker-1": WORKER,
        "worker-2": WORKER,
        "dispatch": (PY, "manage.py", "dispatch_due", "--loop", "5"),
    }

    def supervise(self) -> None:
        """What systemd's ``Restart=always`` does in production: a worker or the
        sweeper that exits is started again (rq's worker quits when Redis goes
        away while it waits for a job's work horse)."""
        while not self.stopping.wait(1):
            for name, command in self.SUPERVISED.items():
                code = self.processes[name].poll()
                if code is not None:
                    self.restarts.append({"t": time.time(), "name": name, "code": code})
                    self.start(name, *command)

    def up(self) -> None:
        self.start(
            "gunicorn", str(BIN / "gunicorn"), "clinic.wsgi",
            "--bind", self.url.removeprefix("http://"),
            "--workers", WORKERS, "--threads", THREADS, "--timeout", "60",
            # As a proxy in front keeps them (nginx: 75 s): users think for up
            # to 6 s, and gunicorn's 2 s default closes under their next click.
            "--keep-alive", "75",
        )  # fmt: skip
        for name, command in self.SUPERVISED.items():
            self.start(name, *command)
        threading.Thread(target=self.supervise, daemon=True).start()
        deadline = time.monotonic() + 90
        while subprocess.run(
            ["curl", "-sf", "-o", "/dev/null", f"{self.url}/healthz"]
        ).returncode:
            if time.monotonic() > deadline:
                raise SystemExit((self.work / "gunicorn.log").read_text()[-3000:])
            time.sleep(0.5)

    def locust_start(self, users: int, seconds: int, name: str) -> subprocess.Popen:
        with open(self.work / "locust.log", "a") as log:
            return subprocess.Popen(
                [
                    str(BIN / "locust"), "-f", str(ROOT / "loadtest" / "locustfile.py"),
                    "--headless", "--host", self.url, "--users", str(users),
                    "--spawn-rate", str(max(1, users // 5)),
                    "--run-time", f"{seconds}s",
                    "--json-file", str(self.work / name),
                    "--only-summary", "--loglevel", "ERROR", "--stop-timeout", "10",
                ],
                cwd=ROOT, env=self.env, stdout=log, stderr=log,
            )  # fmt: skip

    def locust(self, users: int, seconds: int, name: str) -> list[dict]:
        """One step of load; its rows per request class, printed."""
        before, began = uptime(), time.time()
        # The stats start once the last user is logged in: time for that first.
        self.locust_start(users, seconds + users // 2, name).wait()
        print(f"\n== {users} users, {seconds} s (load average {before} -> {uptime()})")
        return self.summary(name, users, began)

    def summary(self, name: str, users: int, began: float) -> list[dict]:
        rows = tables.read_stats(self.work / f"{name}.json")
        print(tables.per_class(rows))
        print(tables.logins(self.work / "logins.jsonl", users))
        print(tables.unusual_answers(self.work / "answers.jsonl", began))
        return rows

    def unfinished_runs(self) -> int:
        """Report exports and 835 uploads not yet done or failed."""
        query = " UNION ALL ".join(
            f"SELECT id FROM {t} WHERE status IN ('pending', 'running')"
            for t in ("clinic_reportexport", "billing_remittanceupload")
        )
        answer = subprocess.run(
            [os.environ["PG_BIN"] + "/psql", "-Atq", "-d", self.owner_url, "-c"]
            + [f"SELECT count(*) FROM ({query}) AS runs"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        return int(answer.stdout.strip() or 0)

    def drain(self) -> None:
        """30 s for the queues, then until every background run is over: one
        whose worker died is re-queued by ``runs_sweep`` after 2 minutes."""
        time.sleep(30)
        deadline = time.monotonic() + DRAIN
        while (left := self.unfinished_runs()) and time.monotonic() < deadline:
            print(f"   waiting for {left} background run(s)")
            time.sleep(15)
        for restart in self.restarts:
            print(f"   restarted {restart['name']} (it exited {restart['code']})")

    def audit(self, began: float) -> int:
        """After the queues drained: the checks of ``loadtest.audit``."""
        ended = time.time()
        self.drain()
        window = {"start": began, "end": ended}
        (self.work / "window.json").write_text(json.dumps(window))
        (self.work / "twilio.json").write_text(json.dumps(self.twilio.messages))
        env = {**self.env, "DATABASE_URL": self.owner_url}
        command = [PY, "-m", "loadtest.audit", str(self.work)]
        return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode

    def down(self) -> None:
        self.stopping.set()
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.twilio.stop()


def load(clinic: Clinic) -> int:
    clinic.morning(SECONDS * len(USERS))
    clinic.up()
    began = time.time()
    curve = [(n, clinic.locust(n, SECONDS, f"users-{n}")) for n in USERS]
    print("\n== the curve")
    print(tables.curve(curve))
    return clinic.audit(began)


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "load"
    work = ROOT / "var" / "loadtest" / f"{mode}-{time.strftime('%Y%m%d-%H%M%S')}"
    clinic = Clinic(work)
    print(f"== logs, locust's JSON stats and the ledger in {work}")
    print(f"== machine: {os.cpu_count()} cores, load average {uptime()}")
    clinic.database()
    try:
        status = (chaos.campaign if mode == "chaos" else load)(clinic)
    finally:
        clinic.down()
    sys.exit(status)


if __name__ == "__main__":
    main()
