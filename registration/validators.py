"""Field validators of the registration app: MRNs, member IDs, card images."""

import re
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from registration.mrn import MRN_RE, mrn_is_valid

MEMBER_ID_RE = re.compile(r"^[A-Za-z0-9-]{2,40}$")

MRN_INVALID = _("An MRN is eight digits whose last digit checks the others.")
MRN_NOT_CANONICAL = _("An MRN is capital letters and digits only.")
MRN_CANONICAL_RE = re.compile(r"^[A-Z0-9]+$")
MEMBER_ID_SPACES = _("A member ID has no spaces: type it as printed, without gaps.")
MEMBER_ID_INVALID = _("A member ID is letters, digits and dashes only.")
CARD_TOO_LARGE = _("The card image is %(size)s MB; the largest accepted is %(max)s MB.")
CARD_WRONG_TYPE = _("A card image must be a JPEG, PNG or PDF file.")
CARD_DAMAGED = _(
    "The card image cannot be read: the file is damaged or is not really a "
    "%(kind)s. Scan or photograph the card again."
)
CARD_TOO_MANY_PIXELS = _(
    "The card image is %(megapixels)s megapixels; the largest accepted is "
    "%(max)s. Scan it at a lower resolution."
)
CARD_PDF_PAGES = _("A card PDF has 1 to %(max)s pages; this one has %(pages)s.")
CARD_PDF_ENCRYPTED = _("The PDF is password-protected; save it without a password.")
CARD_PDF_ACTIVE = _(
    "The PDF carries scripts, actions or attached files, which a card scan never "
    "needs. Save it again as a plain PDF, or upload a picture."
)
CARD_MAX_PIXELS = 40_000_000
CARD_PDF_MAX_PAGES = 4
CARD_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
CARD_KINDS = {"image/jpeg": "JPEG", "image/png": "PNG", "application/pdf": "PDF"}
# PDF actions that run something or send something (a plain link is allowed).
PDF_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData"}

validate_rxnorm = RegexValidator(r"^\d{1,10}$", _("An RxNorm code is digits only."))

# File signatures of the accepted card image types: the name and the browser's
# content type are the sender's word, the first bytes are not.
CARD_SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"%PDF-": "application/pdf",
}


def validate_mrn(value: str) -> None:
    # Stored as a lookup normalises what is typed (registration.selectors
    # .patient_by_mrn), so that an exact match finds it.
    if not MRN_CANONICAL_RE.match(value):
        raise ValidationError(MRN_NOT_CANONICAL, code="mrn_form")
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
    content_type = card_content_type(head)
    if content_type is None:
        raise ValidationError(CARD_WRONG_TYPE, code="card_wrong_type")
    try:
        if content_type == "application/pdf":
            _verify_pdf(upload)
        else:
            _verify_image(upload, content_type)
    finally:
        upload.seek(position)
    # The stored name follows the content, never the sender's name (the name
    # itself is random: registration.models.card_upload_to).
    if hasattr(upload, "content_type"):  # a new upload, not a stored file
        upload.name = "card" + CARD_EXTENSIONS[content_type]


def _damaged(content_type: str) -> ValidationError:
    return ValidationError(
        CARD_DAMAGED, code="card_damaged", params={"kind": CARD_KINDS[content_type]}
    )


def _verify_image(upload, content_type: str) -> None:
    """The whole image decodes (Pillow's verify, then a full load), and it is the
    kind its first bytes say, of a size a card scan has."""
    from PIL import Image  # heavy: loaded only when a card image is checked

    expected = {"image/jpeg": "JPEG", "image/png": "PNG"}[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as image:
                pixels = image.width * image.height
                if image.format != expected:
                    raise _damaged(content_type)
                if pixels > CARD_MAX_PIXELS:
                    raise ValidationError(
                        CARD_TOO_MANY_PIXELS,
                        code="card_too_many_pixels",
                        params={
                            "megapixels": f"{pixels / 1e6:.0f}",
                            "max": f"{CARD_MAX_PIXELS / 1e6:.0f}",
                        },
                    )
                image.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - a damaged file fails in many ways
        raise _damaged(content_type) from None


def _verify_pdf(upload) -> None:
    """A PDF that pypdf reads page by page (contents decoded), not encrypted, of a
    card's few pages, with nothing that runs or leaves the document."""
    from pypdf import PdfReader  # heavy: loaded only when a card PDF is checked

    try:
        upload.seek(0)
        reader = PdfReader(upload)
        if reader.is_encrypted:
            raise ValidationError(CARD_PDF_ENCRYPTED, code="card_pdf_encrypted")
        pages = len(reader.pages)
        if not 1 <= pages <= CARD_PDF_MAX_PAGES:
            raise ValidationError(
                CARD_PDF_PAGES,
                code="card_pdf_pages",
                params={"pages": pages, "max": CARD_PDF_MAX_PAGES},
            )
        if _pdf_is_active(reader):
            raise ValidationError(CARD_PDF_ACTIVE, code="card_pdf_active")
        for page in reader.pages:
            page.mediabox  # noqa: B018 - reading it checks the page's geometry
            page.get_contents()
            page.extract_text()
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on broken files
        raise _damaged("application/pdf") from None


def _pdf_is_active(reader) -> bool:
    root = reader.trailer["/Root"].get_object()
    if "/OpenAction" in root or "/AA" in root:
        return True
    names = root.get("/Names")
    names = names.get_object() if names is not None else {}
    if "/JavaScript" in names or "/EmbeddedFiles" in names:
        return True
    form = root.get("/AcroForm")
    if form is not None and "/XFA" in form.get_object():
        return True
    for page in reader.pages:
        if "/AA" in page:
            return True
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/FileAttachment":
                return True
            action = annotation.get("/A")
            if action is not None and action.get_object().get("/S") in (
                PDF_ACTIVE_ACTIONS
            ):
                return True
    return False
