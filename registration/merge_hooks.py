"""What apps above registration do, in a patient merge's transaction, before the
duplicate's rows move to the survivor.

The merge moves every row that points at the duplicate (``patient_merge``); a
row the survivor already has its one-of (an active problem of the same code, an
open medication review) would break a uniqueness rule. Those apps register a
handler here from their ``AppConfig.ready()`` that ends the duplicate's copy
(keeping both rows and their history); registration cannot import them. A
handler refuses with an ``ApplicationError``, which undoes the whole merge.
"""

from collections.abc import Callable

# handler(*, survivor, duplicate, note: str, actor), both patients locked.
BEFORE_MOVE: list[Callable] = []


def on_merge(handler: Callable) -> Callable:
    if handler not in BEFORE_MOVE:
        BEFORE_MOVE.append(handler)
    return handler


def merge_prepare(*, survivor, duplicate, note: str, actor) -> None:
    for handler in BEFORE_MOVE:
        handler(survivor=survivor, duplicate=duplicate, note=note, actor=actor)
