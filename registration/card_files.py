"""An insurance card photo as a page answers it (the coverage's, or one a patient
sent with an intake before it became a coverage's)."""

from django.http import Http404, StreamingHttpResponse

from clinic.models import AccessLog
from clinic.services import access_log_request
from clinic.storage import stored_download
from registration.validators import card_content_type

SIDES = ("front", "back")


def card_response(request, record, side: str, *, what: str) -> StreamingHttpResponse:
    """The ``card_<side>`` photo of ``record`` (which has a ``patient``) shown
    inline, its type read from its first bytes, with an access-log row; 404 for
    another side, no photo, or one the file store has lost."""
    stored = getattr(record, f"card_{side}") if side in SIDES else None
    if not stored:
        raise Http404("No card image on file.")
    try:
        response = stored_download(
            stored.storage,
            stored.name,
            content_type=lambda head: (
                card_content_type(head[:16]) or "application/octet-stream"
            ),
        )
    except FileNotFoundError:
        raise Http404("The card image is missing from the file store.") from None
    access_log_request(
        request,
        action=AccessLog.Action.DOWNLOAD,
        patient=record.patient,
        obj=record,
        what=f"{what} {side}",
    )
    response["Cache-Control"] = "private, no-store"
    return response
