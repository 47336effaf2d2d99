"""The text of reminders that go to one number together (siblings on a parent's
phone; a parent contact for several children), and the question a plain C to it
gets. ``alerts.outbox.grouping`` decides which go together and numbers them;
the words come from the one vocabulary (``automations.texts``)."""

from alerts import hooks
from automations.texts import (
    GROUP_CHOICE,
    GROUP_QUESTION,
    GROUP_REMINDERS,
    VISIT_LINE,
    base_language,
    render,
    text_context,
)


def _language(language: str) -> str:
    lang = base_language(language)
    return lang if lang in GROUP_REMINDERS else "en"


def _context(row, lang: str) -> dict[str, str]:
    return text_context(patient=row.patient, visit=row.appointment, language=lang)


def reminder_group_text(rows, *, language: str) -> tuple[str, str]:
    """(language, body): one text naming each row's visit, numbered in ``rows``'
    order, wholly in ``language`` (English when the group text has no such
    variant)."""
    lang = _language(language)
    visits = "; ".join(
        f"{number}) {render(VISIT_LINE, _context(row, lang))}"
        for number, row in enumerate(rows, 1)
    )
    context = text_context(language=lang) | {"visits": visits}
    return lang, render(GROUP_REMINDERS[lang], context)


def group_question(rows, *, language: str, letter: str = "C") -> str:
    """The answer to a reply that does not say which visit: "Which visit? Reply
    C1 for Ana 9:00, C2 for Ben 9:30." (``letter`` X when it was a cancel)."""
    lang = _language(language)
    choices = ", ".join(
        GROUP_CHOICE[lang].format(letter=letter, number=number, **_context(row, lang))
        for number, row in enumerate(rows, 1)
    )
    return GROUP_QUESTION[lang].format(choices=choices)


def register() -> None:
    hooks.reminder_group_text.register(reminder_group_text)
