"""Insurance card uploads: checked in full by content (Pillow for pictures, pypdf
for PDFs), stored under a random name readable by the app's user only."""

import io
import os
import re
import stat

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from reportlab.pdfgen import canvas

from registration.models import Coverage, Patient
from registration.validators import CARD_PDF_ACTIVE
from tests.registration.factories import PayerFactory, card_image
from tests.registration.test_registration_form import URL, _valid

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, make_user):
    client.force_login(make_user("Front desk"))
    return client


def _stored_cards() -> list[str]:
    try:
        folders, files = default_storage.listdir("cards")
    except FileNotFoundError:  # a folder that was never made
        return []
    return folders + files


def _pdf(*, javascript: bool = False) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, "ACME HEALTH  Member ABC123")
    pdf.showPage()
    pdf.save()
    if not javascript:
        return buffer.getvalue()
    writer = PdfWriter(clone_from=io.BytesIO(buffer.getvalue()))
    writer.add_open_action(JavaScript("app.alert('hello');"))  # runs on opening
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _register(desk, upload):
    return desk.post(
        URL, _valid(payer=PayerFactory().pk, member_id="ABC123", card_front=upload)
    )


def _damaged_png() -> bytes:
    data = bytearray(card_image("PNG"))
    middle = data.index(b"IDAT") + 12
    data[middle : middle + 8] = b"\x00\xff" * 4  # the picture's data, not its header
    return bytes(data)


@pytest.mark.parametrize(
    ("name", "content", "kind", "suffix"),
    [
        ("Rosa Delgado card.png", card_image("PNG"), "PNG", ".png"),
        ("IMG_0042.JPEG", card_image("JPEG"), "JPEG", ".jpg"),
        ("scan.png", _pdf(), "PDF", ".pdf"),  # the name lies; the content decides
    ],
)
def test_a_card_is_stored_under_a_random_name_readable_by_the_app_only(
    desk, tmp_path, local_file_storages, name, content, kind, suffix
):
    response = _register(desk, SimpleUploadedFile(name, content))
    assert response.status_code == 302, response.context["form"].errors
    stored = Coverage.objects.get().card_front
    assert re.fullmatch(rf"cards/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\{suffix}", stored.name)
    path = tmp_path / "media" / stored.name
    assert path.read_bytes() == content
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            _damaged_png(),
            "The card image cannot be read: the file is damaged or is not really a "
            "PNG. Scan or photograph the card again.",
        ),
        (
            card_image("JPEG")[:300],
            "The card image cannot be read: the file is damaged or is not really a "
            "JPEG. Scan or photograph the card again.",
        ),
        (
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 200,
            "The card image cannot be read: the file is damaged or is not really a "
            "PNG. Scan or photograph the card again.",
        ),
        (
            b"%PDF-1.7\n" + b"garbage " * 100,
            "The card image cannot be read: the file is damaged or is not really a "
            "PDF. Scan or photograph the card again.",
        ),
        (_pdf(javascript=True), str(CARD_PDF_ACTIVE)),
        (
            card_image("PNG", size=(8000, 6000)),
            "The card image is 48 megapixels; the largest accepted is 40. Scan it at "
            "a lower resolution.",
        ),
    ],
    ids=[
        "png damaged body",
        "jpeg cut short",
        "png header only",
        "pdf garbage",
        "pdf with javascript",
        "48 megapixels",
    ],
)
def test_a_card_with_valid_magic_bytes_but_a_broken_body_is_refused(
    desk, content, message
):
    response = _register(desk, SimpleUploadedFile("card.png", content))
    assert response.status_code == 200
    assert response.context["form"].errors["card_front"] == [message]
    assert Patient.objects.count() == 0 and Coverage.objects.count() == 0
    assert _stored_cards() == []
