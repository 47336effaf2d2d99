"""``make chaos``: the clinic morning at 50 users while faults strike on a fixed
timetable (seconds from the start of the load; the first minute is the shift
logging in):

    at  60  Redis stopped for 30 s, then started again (empty: it kept nothing)
    at 130  PostgreSQL restarted (fast shutdown: open connections are cut)
    at 170  one rq worker SIGKILLed while it runs a job (then started again, as a
            supervisor would)
    at 210  one gunicorn worker SIGKILLed under load (its master starts another)

then the load stops at ``LOADTEST_CHAOS_SECONDS`` (270), the queues drain, and
``loadtest.audit`` checks that nothing a user was told succeeded is missing or
doubled and prints what users saw during each fault.
"""

import json
import os
import shlex
import signal
import subprocess
import time
from pathlib import Path

from loadtest.tables import uptime

SECONDS = int(os.environ.get("LOADTEST_CHAOS_SECONDS") or 270)
USERS = int(os.environ.get("LOADTEST_CHAOS_USERS") or 50)
REDIS_DOWN = 30


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(n) for n in path.read_text().split()] if path.exists() else []


def redis(action: str) -> None:
    port, folder = os.environ["REDIS_PORT"], os.environ["REDIS_DIR"]
    if action == "stop":
        subprocess.run(["redis-cli", "-p", port, "shutdown", "nosave"], check=False)
        return
    subprocess.run(
        [
            "redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--daemonize", "yes", "--databases", "64",
            "--pidfile", f"{folder}/redis.pid", "--dir", folder,
            "--logfile", f"{folder}/redis.log",
        ],
        check=True,
    )  # fmt: skip


def redis_outage() -> None:
    redis("stop")
    time.sleep(REDIS_DOWN)
    redis("start")


def postgres_restart() -> None:
    data = os.environ["PG_DATA"]
    subprocess.run(
        [
            *shlex.split(os.environ.get("PG_AS", "")),
            os.environ["PG_BIN"] + "/pg_ctl", "-D", data, "-l", f"{data}/server.log",
            "-m", "fast", "-w", "-t", "60", "restart",
        ],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


def kill_worker_mid_job(clinic) -> str:
    """SIGKILL the worker and its work horse while the horse runs a job (the
    supervisor starts another)."""
    worker = clinic.processes["worker-1"]
    scheduler = set(children(worker.pid))  # the child that stays; horses come
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if set(children(worker.pid)) - scheduler:
            os.killpg(worker.pid, signal.SIGKILL)
            return "mid-job"
        time.sleep(0.01)
    os.killpg(worker.pid, signal.SIGKILL)
    return "idle (no job came in 30 s)"


def kill_web_worker(clinic) -> str:
    workers = children(clinic.processes["gunicorn"].pid)
    os.kill(workers[0], signal.SIGKILL)
    return f"pid {workers[0]} of {len(workers)}"


def campaign(clinic) -> int:
    clinic.morning(SECONDS)
    clinic.up()
    faults = clinic.work / "faults.jsonl"
    locust = clinic.locust_start(USERS, SECONDS, f"chaos-{USERS}")
    began = time.time()

    def at(second: int) -> None:
        time.sleep(max(0.0, began + second - time.time()))

    def fault(name: str, action) -> None:
        start = time.time()
        detail = action() or ""
        row = {"name": name, "start": start, "end": time.time(), "detail": detail}
        with faults.open("a") as out:
            out.write(json.dumps(row) + "\n")
        print(f"   {time.time() - began:5.1f} s  {name} {detail}")

    at(60)
    fault("Redis down 30 s", redis_outage)
    at(130)
    fault("PostgreSQL restart", postgres_restart)
    at(170)
    fault("rq worker SIGKILL", lambda: kill_worker_mid_job(clinic))
    at(210)
    fault("gunicorn worker SIGKILL", lambda: kill_web_worker(clinic))
    before = uptime()
    locust.wait()
    print(f"\n== {USERS} users under faults (load average {before} -> {uptime()})")
    clinic.summary(f"chaos-{USERS}", USERS, began)
    return clinic.audit(began)
