from django.db.models import QuerySet

from clinic.word_search import each_word
from training.models import PracticeMessage


def practice_outbox(*, query: str = "", channel: str = "") -> QuerySet:
    """The messages the practice clinic kept, newest first; every word of
    ``query`` in the address, subject or text."""
    rows = PracticeMessage.objects.all()
    if channel:
        rows = rows.filter(channel=channel)
    return each_word(
        rows, query, "to__icontains", "subject__icontains", "body__icontains"
    )
