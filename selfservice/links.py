"""A patient's own links: signed, expiring, for one visit of one patient.

A link is ``/my/<purpose>/<visit id>/<token>/``. The token is a timestamped
signature (Django's signing, ``SECRET_KEY``) of the visit's id and its patient's
id, under a salt per purpose, so a visit link is no intake link, a token signed
for one visit fails on every other, and a visit moved to another patient (a merge)
drops its old links. It works until the visit starts and never longer than
``SELF_SERVICE_LINK_MAX_DAYS``. Nothing else is stored: a link needs no row.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

VISIT = "visit"
INTAKE = "intake"
PURPOSES = {VISIT: "selfservice:visit", INTAKE: "selfservice:intake"}
SEP = "."


def _signer(purpose: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"selfservice.{purpose}", sep=SEP)


def _value(visit_id: int, patient_id: int) -> str:
    return f"{visit_id}-{patient_id}"


def token_for(visit, *, purpose: str) -> str:
    signed = _signer(purpose).sign(_value(visit.pk, visit.patient_id))
    return signed.split(SEP, 1)[1]  # the visit and patient are not in the URL twice


def token_valid(visit, token: str, *, purpose: str, now=None) -> bool:
    """The token was signed for this visit, its patient and this purpose, within
    the longest life of a link, and the visit has not started."""
    now = now or timezone.now()
    if visit.start <= now:
        return False
    signed = f"{_value(visit.pk, visit.patient_id)}{SEP}{token}"
    try:
        _signer(purpose).unsign(
            signed, max_age=timedelta(days=settings.SELF_SERVICE_LINK_MAX_DAYS)
        )
    except signing.BadSignature:  # forged, another visit's, or too old
        return False
    return True


def link_for(visit, *, purpose: str = VISIT) -> str:
    """The full address the patient opens (``SELF_SERVICE_BASE_URL``)."""
    base = settings.SELF_SERVICE_BASE_URL or settings.PUBLIC_BASE_URL
    path = reverse(
        PURPOSES[purpose], args=[visit.pk, token_for(visit, purpose=purpose)]
    )
    return base.rstrip("/") + path
