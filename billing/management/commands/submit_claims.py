"""python manage.py submit_claims — every ready claim into one 837P batch.

The batch is written in one transaction and transmitted by a job on the ``billing``
queue (in-process in the embedded default). Exit status 0, also when nothing was
ready.
"""

from django.core.management.base import BaseCommand

from billing.services import claims_submit
from billing.services.submission import NOTHING_READY


class Command(BaseCommand):
    help = "Put every ready claim into a new 837P submission batch and send it."

    def handle(self, *args, **options):
        batch = claims_submit(actor=None)
        if batch is None:
            self.stdout.write(NOTHING_READY)
            return
        self.stdout.write(
            f"Batch {batch.isa_control_number:09d}: {batch.claim_count} claims, "
            f"${batch.total_charge}, file {batch.file_name}."
        )
