"""python manage.py icd10cm_table — rewrite billing's ICD-10-CM table file.

Reads the tabular list that the pinned PyPI package simple-icd-10-cm ships (the
CMS/CDC release of its version) and writes ``billing/icd10cm.TABLE_FILE``: one line
per category and subcategory, ``code<TAB>billable<TAB>description``. After a new
release, rename the file with its year, point ``TABLE_FILE`` and ``TABLE_RELEASE``
at it, and run the billing tests.
"""

import gzip

from django.core.management.base import BaseCommand

from billing.icd10cm import TABLE_FILE


class Command(BaseCommand):
    help = "Rewrite the bundled ICD-10-CM table from the simple-icd-10-cm package."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(TABLE_FILE))

    def handle(self, *args, output, **options):
        # Loading the package parses its 10 MB tabular list (about 190 MB in
        # memory): only this command needs it, the app reads the small file.
        import simple_icd_10_cm as cm

        rows = []
        for code in cm.get_all_codes(with_dots=True):
            if cm.is_chapter_or_block(code):
                continue
            words = " ".join(cm.get_description(code).split())
            rows.append(f"{code}\t{1 if cm.is_leaf(code) else 0}\t{words}\n")
        with gzip.GzipFile(output, "wb", mtime=0) as table:
            table.write("".join(rows).encode("utf-8"))
        billable = sum(row.split("\t")[1] == "1" for row in rows)
        self.stdout.write(f"{len(rows)} codes ({billable} billable) to {output}.")
