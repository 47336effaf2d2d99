from django.core.management.base import BaseCommand

from clinic.access_log_anchor import access_log_anchor_problem
from clinic.models import AccessLog
from clinic.services import access_log_first_broken


class Command(BaseCommand):
    help = (
        "Check the PHI access log's keyed hash chain and that it still holds the "
        "head last anchored outside the database; exit 1 naming what is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from-id", type=int, default=None, help="Start at this row id."
        )

    def handle(self, *args, from_id=None, **options):
        broken = access_log_first_broken(start_id=from_id)
        total = AccessLog.objects.count()
        if broken is not None:
            self.stderr.write(
                f"BROKEN: access log row {broken.pk} "
                f"(at {broken.created_at:%Y-%m-%d %H:%M:%S%z}, "
                f"user {broken.username!r}) "
                "does not match its hash or its predecessor."
            )
            raise SystemExit(1)
        problem = access_log_anchor_problem()
        if problem:
            self.stderr.write(f"BROKEN: {problem}.")
            raise SystemExit(1)
        self.stdout.write(f"OK: {total} access log rows, hash chain intact.")
