import logging
import signal
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connections

from clinic.dispatch import dispatch_due

logger = logging.getLogger(__name__)

RUN_FAILED = (
    "dispatch_due: this run failed ({error}); trying again in {seconds} s "
    "with a new database connection"
)


# Should unwinding after a stop hang (seen once in CI, cause unknown), the
# process ends this many seconds after the stop all the same (SIGALRM's default).
STOP_GRACE_SECONDS = 10


def _exit_on_sigterm(signum, frame):
    signal.alarm(STOP_GRACE_SECONDS)
    sys.exit(128 + signum)


class Command(BaseCommand):
    help = (
        "Enqueue (or, without Redis, run) every job whose time has come. "
        "Safe to run from cron every minute, and twice at once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            type=int,
            metavar="SECONDS",
            default=0,
            help="Keep sweeping every SECONDS seconds (used by `make run`); a run "
            "that fails (the database or Redis away) is retried, never the end.",
        )

    def handle(self, *args, loop: int = 0, **options):
        if loop:
            # A stop (deploy, supervisor) unwinds like Ctrl-C: the run's finally
            # blocks release RQ's scheduler locks and advisory locks at once,
            # instead of leaving them to expire for a minute.
            signal.signal(signal.SIGTERM, _exit_on_sigterm)
        while True:
            try:
                close_old_connections()
                results = dispatch_due()
            except Exception as error:
                # The database restarted or cannot be reached: a session advisory
                # lock or the connection itself is gone. Start the next run afresh.
                logger.exception("dispatch_due run failed")
                connections.close_all()
                if not loop:
                    raise CommandError(f"this run failed: {error}") from error
                self.stderr.write(
                    RUN_FAILED.format(
                        error=f"{type(error).__name__}: {error}".strip(), seconds=loop
                    )
                )
            else:
                self._report(results, loop=loop)
            if not loop:
                return
            time.sleep(loop)

    def _report(self, results: dict, *, loop: int) -> None:
        for name, count in results.items():
            if count is None:
                self.stdout.write(f"{name}: skipped (another run holds it)")
            elif count < 0:
                self.stderr.write(f"{name}: failed, see the log")
            elif count or not loop:
                self.stdout.write(f"{name}: {count} dispatched")
