"""The routes of one record's actions.

A record's buttons and pages under its own URL follow one rule across the apps:
the action's path segment and its URL name's suffix are the same word
(``claims/<int:pk>/void/`` is ``billing:claim-void``), so the two cannot drift
apart. Routes that do not follow it are written out with ``path()``.
"""

from django.urls import URLPattern, path
from django.views import View


def record_actions(
    prefix: str, name: str, views: dict[str, type[View]]
) -> list[URLPattern]:
    """``<prefix><action>/`` named ``<name>-<action>`` for each ``action: view``
    (a class-based view); with no ``name`` (an app about one kind of record, whose
    namespace names it), the action alone."""
    return [
        path(
            f"{prefix}{action}/",
            view.as_view(),
            name=f"{name}-{action}" if name else action,
        )
        for action, view in views.items()
    ]
