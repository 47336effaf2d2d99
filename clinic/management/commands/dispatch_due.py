import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from clinic.dispatch import dispatch_due


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
            help="Keep sweeping every SECONDS seconds (used by `make run`).",
        )

    def handle(self, *args, loop: int = 0, **options):
        while True:
            close_old_connections()
            for name, count in dispatch_due().items():
                if count is None:
                    self.stdout.write(f"{name}: skipped (another run holds it)")
                elif count < 0:
                    self.stderr.write(f"{name}: failed, see the log")
                elif count or not loop:
                    self.stdout.write(f"{name}: {count} dispatched")
            if not loop:
                return
            time.sleep(loop)
