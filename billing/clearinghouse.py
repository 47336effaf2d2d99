"""Clearinghouse backends: how a batch's 837P leaves the clinic and answers return.

``folder`` (default) writes ``<CLEARINGHOUSE_DIR>/outbound/<file>`` atomically (a
temporary name, then a rename, so a file that exists is complete) and reads answers
(999, 277CA, 835) from ``inbound/``. ``http`` POSTs the file to ``CLEARINGHOUSE_URL``
with an ``Idempotency-Key`` (the interchange control number) and retries; on
reconciliation it asks ``GET <url>/<key>`` whether the file arrived (200 yes, 404 no).

A backend answers two questions: ``transmit(batch) -> reference`` and
``was_received(batch) -> bool``. ``CLEARINGHOUSE_BACKEND`` may also name a class by
dotted path (tests use that).
"""

import os
import time
from pathlib import Path

import requests
from django.conf import settings
from django.utils.module_loading import import_string


class TransmitError(Exception):
    """The clearinghouse could not be reached or refused the file."""


def clearinghouse_dir() -> Path:
    return Path(settings.CLEARINGHOUSE_DIR)


def outbound_dir() -> Path:
    path = clearinghouse_dir() / "outbound"
    path.mkdir(parents=True, exist_ok=True)
    return path


def inbound_dir() -> Path:
    path = clearinghouse_dir() / "inbound"
    path.mkdir(parents=True, exist_ok=True)
    return path


class FolderBackend:
    name = "folder"

    def path_of(self, batch) -> Path:
        return outbound_dir() / batch.file_name

    def transmit(self, batch) -> str:
        target = self.path_of(batch)
        temporary = target.with_name(f".{target.name}.part")
        with temporary.open("w", encoding="ascii", newline="") as handle:
            handle.write(batch.content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        return str(target)

    def was_received(self, batch) -> bool:
        return self.path_of(batch).exists()


class HttpBackend:
    name = "http"

    def __init__(self):
        if not settings.CLEARINGHOUSE_URL:
            raise TransmitError("CLEARINGHOUSE_URL is not set.")
        self.url = settings.CLEARINGHOUSE_URL.rstrip("/")

    def _key(self, batch) -> str:
        return f"{batch.isa_control_number:09d}"

    def transmit(self, batch) -> str:
        last = ""
        for attempt in range(max(1, settings.CLEARINGHOUSE_HTTP_RETRIES)):
            try:
                response = requests.post(
                    self.url,
                    data=batch.content.encode("ascii"),
                    headers={
                        "Content-Type": "application/edi-x12",
                        "Idempotency-Key": self._key(batch),
                    },
                    timeout=settings.CLEARINGHOUSE_TIMEOUT_SECONDS,
                )
            except requests.RequestException as exc:
                last = str(exc)
            else:
                if response.status_code < 300:
                    return response.headers.get("Location", self._key(batch))
                if response.status_code < 500:
                    raise TransmitError(
                        f"The clearinghouse refused the file: HTTP "
                        f"{response.status_code} {response.text[:200]}"
                    )
                last = f"HTTP {response.status_code}"
            time.sleep(min(2**attempt, 10) * 0.5)
        raise TransmitError(f"The clearinghouse did not answer: {last}")

    def was_received(self, batch) -> bool:
        try:
            response = requests.get(
                f"{self.url}/{self._key(batch)}",
                timeout=settings.CLEARINGHOUSE_TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            raise TransmitError(f"The clearinghouse did not answer: {exc}") from exc
        if response.status_code == 404:
            return False
        if response.status_code < 300:
            return True
        raise TransmitError(f"The clearinghouse answered HTTP {response.status_code}")


BACKENDS = {"folder": FolderBackend, "http": HttpBackend}


def get_backend():
    name = settings.CLEARINGHOUSE_BACKEND
    backend_class = BACKENDS.get(name) or import_string(name)
    return backend_class()
