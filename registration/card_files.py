"""An insurance card photo as a page answers it (the coverage's, or one a patient
sent with an intake before it became a coverage's)."""

from django.http import Http404, StreamingHttpResponse

from clinic.storage import stored_download
from registration.validators import card_content_type


def card_response(stored) -> StreamingHttpResponse:
    """The stored card shown inline, its type read from its first bytes; 404 when
    there is none or the file store has lost it."""
    if not stored:
        raise Http404("No card image on file.")
    try:
        return stored_download(
            stored.storage,
            stored.name,
            content_type=lambda head: (
                card_content_type(head[:16]) or "application/octet-stream"
            ),
        )
    except FileNotFoundError:
        raise Http404("The card image is missing from the file store.") from None
