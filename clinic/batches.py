"""``batched``: Python 3.12's ``itertools.batched`` for 3.11 (lists, not tuples)."""

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of ``size`` items from ``items`` (the last one shorter), read lazily:
    a server-side cursor's million rows never sit in memory at once."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
