"""Where the app keeps files: Django's storage API, never a path on this host.

``settings.STORAGES`` names two: ``default`` for uploads (insurance card images;
every ``FileField``) and ``exports`` for files the app writes for someone to
download later (report exports, bulk exports), which expire. In the embedded
default both are folders under ``var/``; in production (``STORAGE_BACKEND=s3``)
they are prefixes of one S3-compatible bucket, so any app or worker host reads
what another wrote. Write with ``stored_file_writer``, hand out with
``stored_download``, expire with ``storage.delete(name)``.
"""

import mimetypes
import tempfile
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import BinaryIO

from django.core.files import File
from django.core.files.storage import Storage, storages
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

EXPORTS = "exports"
CHUNK_BYTES = 64 * 1024


def exports_storage() -> Storage:
    """Files written for download: report exports, bulk exports."""
    return storages[EXPORTS]


@contextmanager
def stored_file_writer(storage: Storage, name: str) -> Iterator[BinaryIO]:
    """A binary handle whose bytes become the stored file ``name`` when the block
    ends without an error (nothing is stored otherwise). The bytes are spooled
    through a temporary file only this process can open (deleted on close), so a
    large export needs no memory and leaves nothing behind on this host."""
    with tempfile.TemporaryFile() as spool:
        yield spool
        spool.seek(0)
        stored = storage.save(name, File(spool, name=name))
    if stored != name:
        # Names are random and new per attempt: another file under this name
        # means something else wrote there, and this file must not pose as it.
        storage.delete(stored)
        raise FileExistsError(f"A stored file is already named {name}.")


def stored_download(
    storage: Storage,
    name: str,
    *,
    filename: str = "",
    content_type: Callable[[bytes], str] | str | None = None,
) -> StreamingHttpResponse:
    """A response streaming one stored file from the store, chunk by chunk: an
    attachment named ``filename``, or shown inline without one. ``content_type``
    may be a function of the file's first bytes; by default it follows the name.
    ``FileNotFoundError`` when the store has no such file."""
    handle = storage.open(name, "rb")
    chunks = _chunks(handle)
    first = next(chunks, b"")
    if callable(content_type):
        content_type = content_type(first)
    elif content_type is None:
        guessed, _ = mimetypes.guess_type(filename or name)
        content_type = guessed or "application/octet-stream"
    response = StreamingHttpResponse(
        _first_then(first, chunks), content_type=content_type
    )
    response["Content-Length"] = str(handle.size)
    response["Content-Disposition"] = (
        content_disposition_header(True, filename) if filename else "inline"
    )
    return response


def _first_then(first: bytes, chunks: Generator[bytes]) -> Iterator[bytes]:
    """The response's content; Django closes it when the response ends, so the
    stored file is closed even when the browser stops reading halfway."""
    try:
        yield first
        yield from chunks
    finally:
        chunks.close()


def _chunks(handle) -> Generator[bytes]:
    """A stored file's bytes; from S3 straight off the object's body (reading the
    storage's file object would first copy the whole object into memory)."""
    with handle:
        if (s3_object := getattr(handle, "obj", None)) is not None:
            yield from s3_object.get()["Body"].iter_chunks(CHUNK_BYTES)
            return
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk
