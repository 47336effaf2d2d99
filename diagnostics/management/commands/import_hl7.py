"""python manage.py import_hl7 PATH — lab results from HL7 v2.5.1 ORU^R01 files.

PATH is a file of one or more messages, or a folder of such files. Each message is
applied whole or not at all (a hundred to a transaction, as uploads are); the
ones that cannot be applied are listed with their reason (and wait in the error
list of the Results page). The exit status is 0 when
every message was applied, 1 when any was not, 2 when PATH cannot be read at all
or a file passes the caps of one message (size, segments, fields, repetitions,
components) or holds a NUL byte: then nothing is stored. A message received
before (same sending facility and MSH-10) is answered with its first ACK.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from diagnostics.exceptions import Hl7FileRefused
from diagnostics.hl7v2.importer import hl7_messages_check, hl7_receive_all

SUFFIXES = {".hl7", ".txt", ".oru", ".msg", ""}


def _read(path: Path) -> str:
    # HL7 ends segments with CR: newline="" keeps them as they are.
    try:
        with path.open("r", encoding="utf-8", newline="") as handle:
            return handle.read()
    except UnicodeDecodeError:
        with path.open("r", encoding="latin-1", newline="") as handle:
            return handle.read()


class Command(BaseCommand):
    help = "Import lab results from an HL7 v2 ORU^R01 file or a folder of files."

    def add_arguments(self, parser):
        parser.add_argument("path", help="A file of HL7 messages, or a folder.")
        parser.add_argument(
            "--ack-dir",
            help="Write the ACK of each message to this folder (ACK<id>.hl7).",
        )

    def handle(self, *args, path, ack_dir=None, **options):
        target = Path(path)
        if target.is_dir():
            files = sorted(
                p for p in target.iterdir() if p.is_file() and p.suffix in SUFFIXES
            )
            if not files:
                raise CommandError(
                    f"{target} holds no .hl7 or .txt files.", returncode=2
                )
        elif target.is_file():
            files = [target]
        else:
            raise CommandError(f"{target} does not exist.", returncode=2)
        texts = []
        for file in files:
            try:
                text = _read(file)
            except OSError as exc:
                raise CommandError(
                    f"{file} cannot be read: {exc.strerror}.", returncode=2
                ) from None
            if "MSH" not in text:
                raise CommandError(
                    f"{file} holds no HL7 message (no MSH segment); nothing was "
                    "imported.",
                    returncode=2,
                )
            try:
                messages = hl7_messages_check(text)
            except Hl7FileRefused as refused:
                raise CommandError(f"{file}: {refused.message}", returncode=2) from None
            texts.append((file, messages))
        applied = failed = duplicates = 0
        for file, messages in texts:
            for outcome in hl7_receive_all(raws=messages, source=str(file)):
                message = outcome.message
                label = message.control_id or f"#{message.pk}"
                if outcome.duplicate:
                    duplicates += 1
                    failed += 0 if outcome.ok else 1
                    self.stdout.write(
                        f"{file.name}: {label} {message.ack_code} already received "
                        f"(message #{message.pk}, {message.get_status_display()}): "
                        "answered with its first ACK, not stored again"
                    )
                elif outcome.ok:
                    applied += 1
                    done = ", ".join(outcome.applied) or message.error
                    self.stdout.write(f"{file.name}: {label} {message.ack_code} {done}")
                else:
                    failed += 1
                    self.stderr.write(
                        f"{file.name}: {label} {message.ack_code} {message.error}"
                    )
                if ack_dir:
                    folder = Path(ack_dir)
                    folder.mkdir(parents=True, exist_ok=True)
                    with (folder / f"ACK{message.pk}.hl7").open(
                        "w", encoding="utf-8", newline=""
                    ) as handle:
                        handle.write(message.ack + "\r")
        summary = f"{applied} message(s) applied, {failed} not applied."
        if duplicates:
            summary += f" {duplicates} already received."
        if failed:
            raise CommandError(
                summary + " See the error list (Results → HL7 messages).", returncode=1
            )
        self.stdout.write(self.style.SUCCESS(summary))
