"""python manage.py import_835 PATH — post an 835 remittance file (or a folder).

Each file is posted whole or not at all. Exit status 0 when every file was posted,
1 when a file was refused (its reason is printed; nothing of it was written), 2 when
PATH cannot be read.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from billing.exceptions import RemittanceRefused
from billing.services import remittance_import


class Command(BaseCommand):
    help = "Import X12 835 remittance files: post payments, adjustments and denials."

    def add_arguments(self, parser):
        parser.add_argument("path", help="An 835 file, or a folder of them.")

    def handle(self, *args, path, **options):
        target = Path(path)
        if target.is_dir():
            files = sorted(p for p in target.iterdir() if p.is_file())
        elif target.is_file():
            files = [target]
        else:
            raise CommandError(f"{target} does not exist.", returncode=2)
        refused = 0
        for file in files:
            try:
                text = file.read_text(encoding="ascii", errors="replace")
            except OSError as exc:
                raise CommandError(
                    f"{file} cannot be read: {exc.strerror}.", returncode=2
                ) from None
            try:
                remittance = remittance_import(text=text, file_name=file.name)
            except RemittanceRefused as exc:
                refused += 1
                self.stderr.write(f"{file.name}: {exc.message}")
                continue
            self.stdout.write(
                f"{file.name}: trace {remittance.trace_number}, "
                f"${remittance.payment_amount}, {remittance.claim_count} claims, "
                f"{remittance.unmatched_count} unmatched."
            )
        if refused:
            raise CommandError(f"{refused} file(s) refused.", returncode=1)
