"""What apps above scheduling do, in the same transaction, when a visit is
completed or its completion is undone.

Scheduling sits below billing and may not import it; billing registers its
handlers here from its ``AppConfig.ready()`` (capture a completed visit's draft
charges; take them back on undo, refusing once a claim was made of them). A
handler refuses with an ``ApplicationError``, which undoes the whole change.
"""

from collections.abc import Callable

# handler(*, appointment, actor)
COMPLETED: list[Callable] = []
# handler(*, appointment, actor, reason)
COMPLETION_UNDONE: list[Callable] = []


def on_completed(handler: Callable) -> Callable:
    if handler not in COMPLETED:
        COMPLETED.append(handler)
    return handler


def on_completion_undone(handler: Callable) -> Callable:
    if handler not in COMPLETION_UNDONE:
        COMPLETION_UNDONE.append(handler)
    return handler


def visit_completed(*, appointment, actor) -> None:
    for handler in COMPLETED:
        handler(appointment=appointment, actor=actor)


def visit_completion_undone(*, appointment, actor, reason: str) -> None:
    for handler in COMPLETION_UNDONE:
        handler(appointment=appointment, actor=actor, reason=reason)
