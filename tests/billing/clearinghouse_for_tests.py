"""Clearinghouse backends for tests (named by dotted path in CLEARINGHOUSE_BACKEND).

Every transmission appends a line to ``sends.log`` in the clearinghouse folder, so a
test can count how often a batch really left."""

import os
import signal

from billing.clearinghouse import FolderBackend, TransmitError, clearinghouse_dir


def _count_send(batch) -> None:
    with (clearinghouse_dir() / "sends.log").open("a") as log:
        log.write(f"{batch.isa_control_number}\n")


def sends() -> list[str]:
    path = clearinghouse_dir() / "sends.log"
    return path.read_text().split() if path.exists() else []


class CountingFolder(FolderBackend):
    name = "counting-folder"

    def transmit(self, batch) -> str:
        reference = super().transmit(batch)
        _count_send(batch)
        return reference


class KilledAfterSend(CountingFolder):
    """The worker dies (SIGKILL) right after the file left, before the state update."""

    def transmit(self, batch) -> str:
        super().transmit(batch)
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("unreachable")


class Unreachable(FolderBackend):
    def transmit(self, batch) -> str:
        raise TransmitError("connection refused")
