"""What apps above scheduling do, in the same transaction, when a visit is
completed or its completion is undone, and what they say about a visit on its
page.

Scheduling sits below billing and may not import it; billing registers its
handlers here from its ``AppConfig.ready()`` (capture a completed visit's draft
charges; take them back on undo, refusing once a claim was made of them), and
selfservice its "intake received" note.
A handler refuses with an ``ApplicationError``, which undoes the whole change.
"""

from collections.abc import Callable

# handler(*, appointment, actor)
COMPLETED: list[Callable] = []
# handler(*, appointment, actor, reason)
COMPLETION_UNDONE: list[Callable] = []


# provider(appointment) -> [(note, url or "")] shown on the visit's page
NOTES: list[Callable] = []


def _add(handlers: list[Callable], handler: Callable) -> Callable:
    if handler not in handlers:
        handlers.append(handler)
    return handler


def on_note(provider: Callable) -> Callable:
    return _add(NOTES, provider)


def visit_notes(appointment) -> list[tuple[str, str]]:
    return [note for provider in NOTES for note in provider(appointment)]


def on_completed(handler: Callable) -> Callable:
    return _add(COMPLETED, handler)


def on_completion_undone(handler: Callable) -> Callable:
    return _add(COMPLETION_UNDONE, handler)


def visit_completed(*, appointment, actor) -> None:
    for handler in COMPLETED:
        handler(appointment=appointment, actor=actor)


def visit_completion_undone(*, appointment, actor, reason: str) -> None:
    for handler in COMPLETION_UNDONE:
        handler(appointment=appointment, actor=actor, reason=reason)
