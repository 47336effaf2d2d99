"""Field validators of the registration app: MRNs, member IDs, card images."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from registration.mrn import MRN_RE, mrn_is_valid

MEMBER_ID_RE = re.compile(r"^[A-Za-z0-9-]{2,40}$")

MRN_INVALID = _("An MRN is eight digits whose last digit checks the others.")
MEMBER_ID_SPACES = _("A member ID has no spaces: type it as printed, without gaps.")
MEMBER_ID_INVALID = _("A member ID is letters, digits and dashes only.")
CARD_TOO_LARGE = _("The card image is %(size)s MB; the largest accepted is %(max)s MB.")
CARD_WRONG_TYPE = _("A card image must be a JPEG, PNG or PDF file.")

validate_rxnorm = RegexValidator(r"^\d{1,10}$", _("An RxNorm code is digits only."))

# File signatures of the accepted card image types: the name and the browser's
# content type are the sender's word, the first bytes are not.
CARD_SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"%PDF-": "application/pdf",
}


def validate_mrn(value: str) -> None:
    # MRNs from before the check digit (demo data of older versions) stay readable.
    if MRN_RE.match(value) and not mrn_is_valid(value):
        raise ValidationError(MRN_INVALID, code="mrn_check_digit")


def validate_member_id(value: str) -> None:
    if any(char.isspace() for char in value):
        raise ValidationError(MEMBER_ID_SPACES, code="member_id_spaces")
    if not MEMBER_ID_RE.match(value):
        raise ValidationError(MEMBER_ID_INVALID, code="member_id_invalid")


def card_content_type(head: bytes) -> str | None:
    for signature, content_type in CARD_SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    return None


def validate_card_image(upload) -> None:
    limit = settings.CARD_IMAGE_MAX_BYTES
    size = getattr(upload, "size", 0) or 0
    if size > limit:
        raise ValidationError(
            CARD_TOO_LARGE,
            code="card_too_large",
            params={"size": f"{size / 1048576:.1f}", "max": f"{limit / 1048576:.0f}"},
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    if card_content_type(head) is None:
        raise ValidationError(CARD_WRONG_TYPE, code="card_wrong_type")
