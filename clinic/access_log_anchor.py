"""The access log's head, kept outside the database.

The keyed chain (``clinic.models.AccessLog``) shows that a row was changed, but not
that the newest rows were deleted: what remains still chains. So ``dispatch_due``
writes the chain's head (the last row's id and hash), whenever it moved, as one line
to ``ACCESS_LOG_ANCHOR_FILE`` and to the logger ``clinic.access_log.anchor`` (route
it to syslog to keep a copy off the host); ``verify_access_log`` checks that the
database still holds the last anchored row, unchanged. Each line carries its own
HMAC under the access log's key, so a line cannot be made up without the key.
"""

import hashlib
import hmac
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from clinic.models import AccessLog

logger = logging.getLogger("clinic.access_log.anchor")

ANCHOR_LINE_BAD = _("line %(line)s of the anchor file %(path)s is not an anchor")
ANCHOR_ROW_GONE = _(
    "row %(id)s, the log's last row at %(at)s (anchor file), is gone: "
    "rows were deleted from the log"
)
ANCHOR_ROW_CHANGED = _(
    "row %(id)s does not hold the hash anchored at %(at)s: the log was rewritten"
)


@dataclass(frozen=True)
class Anchor:
    at: str  # ISO 8601, UTC
    row_id: int
    row_hash: str

    def mac(self) -> str:
        message = f"anchor|{self.at}|{self.row_id}|{self.row_hash}".encode()
        key = settings.ACCESS_LOG_HMAC_KEY.encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    def line(self) -> str:
        return f"{self.at} id={self.row_id} hash={self.row_hash} mac={self.mac()}"


def _parse(line: str) -> Anchor | None:
    """The anchor a line holds, or None when it is not one written with our key."""
    parts = line.split()
    if len(parts) != 4:
        return None
    at, row_id, row_hash, mac = parts
    if not (row_id.startswith("id=") and row_id[3:].isdigit()):
        return None
    anchor = Anchor(at, int(row_id[3:]), row_hash.removeprefix("hash="))
    if not hmac.compare_digest(anchor.mac(), mac.removeprefix("mac=")):
        return None
    return anchor


def _path() -> Path:
    return Path(settings.ACCESS_LOG_ANCHOR_FILE)


def _last_line(path: Path) -> str:
    if not path.exists():
        return ""
    with path.open("rb") as file:
        file.seek(max(0, path.stat().st_size - 4096))
        lines = file.read().decode(errors="replace").splitlines()
    return lines[-1] if lines else ""


def access_log_anchor_write(*, now: datetime) -> int:
    """Anchor the log's head outside the database when it moved; 1 when written."""
    head = AccessLog.objects.order_by("-id").values_list("id", "row_hash").first()
    if head is None:
        return 0
    path = _path()
    last = _parse(_last_line(path))
    if last is not None and last.row_id == head[0]:
        return 0
    anchor = Anchor(now.astimezone(UTC).isoformat(timespec="seconds"), *head)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as file:
        file.write(anchor.line() + "\n")
        file.flush()
        os.fsync(file.fileno())
    logger.info("access log head %s", anchor.line())
    return 1


def access_log_anchor_problem() -> str:
    """Empty when the log still holds its last anchored row unchanged (or nothing
    was anchored yet); otherwise what is wrong, in words."""
    path = _path()
    if not path.exists():
        return ""
    last = None
    with path.open(encoding="utf-8", errors="replace") as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            anchor = _parse(line)
            if anchor is None:
                return ANCHOR_LINE_BAD % {"line": number, "path": path}
            if last is None or anchor.row_id > last.row_id:
                last = anchor
    if last is None:
        return ""
    stored = (
        AccessLog.objects.filter(pk=last.row_id)
        .values_list("row_hash", flat=True)
        .first()
    )
    if stored is None:
        return ANCHOR_ROW_GONE % {"id": last.row_id, "at": last.at}
    if not hmac.compare_digest(stored, last.row_hash):
        return ANCHOR_ROW_CHANGED % {"id": last.row_id, "at": last.at}
    return ""
