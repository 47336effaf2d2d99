"""Printed documents: the patient wristband and the day's MAR (reportlab PDFs)."""

from io import BytesIO

from django.utils import timezone
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch, mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from clinic.pdf import pdf_fit, pdf_markup, pdf_paragraph, pdf_wrap

# An adult wristband label: 10 x 1 inch.
WRISTBAND_SIZE = (10 * inch, 1 * inch)
# reportlab's default left and right padding of a table cell.
CELL_PADDING = 6
ORDER_COLUMNS = [170, 60, 45, 170, 70, 200]
DOSE_COLUMNS = [40, 150, 90, 60, 45, 100, 100, 130]


def wristband_pdf(*, banner, clinic_name: str) -> bytes:
    """Name, date of birth, MRN, the allergies and a Code 128 barcode of the MRN on
    a band label. Every line stays left of the barcode: the allergies shrink (and
    drop the reactions) before anything is cut."""
    patient = banner.patient
    buffer = BytesIO()
    width, height = WRISTBAND_SIZE
    canvas = Canvas(buffer, pagesize=WRISTBAND_SIZE)
    canvas.setTitle(f"Wristband {patient.mrn}")
    canvas.setAuthor(clinic_name)
    left = 0.35 * inch
    barcode = Code128(patient.mrn, barHeight=0.62 * inch, barWidth=0.5 * mm, quiet=True)
    barcode_left = width - barcode.width - 0.4 * inch
    room = barcode_left - left - 0.2 * inch
    lines = [
        *_name_lines(patient, width=room, top=height),
        (
            "Helvetica",
            10,
            height - 0.55 * inch,
            f"DOB {patient.birth_date:%Y-%m-%d}    MRN {patient.mrn}",
        ),
        ("Helvetica", 7, 0.12 * inch, clinic_name),
    ]
    for font, size, y, text in lines:
        canvas.setFont(font, size)
        canvas.drawString(left, y, pdf_fit(text, font=font, size=size, width=room))
    barcode.drawOn(canvas, barcode_left, 0.19 * inch)
    if banner.severe:
        canvas.setFillColor(colors.HexColor("#b00020"))
    size, allergies = _allergy_line(banner, width=room)
    canvas.setFont("Helvetica-Bold", size)
    canvas.drawString(left, 0.27 * inch, allergies)
    canvas.setFillColor(colors.black)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _name_lines(patient, *, width: float, top: float) -> list[tuple]:
    """The band's name: one line that shrinks from 14 to 10 points, else family
    and given names on two lines of 9 points (cut only past that): the band
    identifies the patient, so the given name is never cut off by the family
    name."""
    name = f"{patient.family_name.upper()}, {patient.given_name}"
    for size in (14, 12, 11, 10):
        if stringWidth(name, "Helvetica-Bold", size) <= width:
            return [("Helvetica-Bold", size, top - 0.32 * inch, name)]
    return [
        ("Helvetica-Bold", 9, top - 0.16 * inch, f"{patient.family_name.upper()},"),
        ("Helvetica-Bold", 9, top - 0.30 * inch, patient.given_name),
    ]


def _allergy_line(banner, *, width: float) -> tuple[float, str]:
    """The wristband's allergy line and its font size: the full text at 8 to 6
    points, else the substances alone, else the substances cut to fit."""
    substances = "; ".join(
        allergy.substance + (" SEVERE" if allergy.is_severe else "")
        for allergy in banner.allergies
    )
    if not banner.allergies:
        # "No known allergies", "Allergies not yet asked": said once, not
        # after an "ALLERGIES:" label that reads as if some were listed.
        texts, label = (banner.allergy_text.upper(),), ""
    else:
        texts, label = (banner.allergy_text, substances), "ALLERGIES: "
    for text in texts:
        line = f"{label}{text}"
        for size in (8, 7, 6):
            if stringWidth(line, "Helvetica-Bold", size) <= width:
                return size, line
    return 6, pdf_fit(
        f"ALLERGIES: {substances}", font="Helvetica-Bold", size=6, width=width
    )


def _cell(text: str, style) -> Paragraph:
    return pdf_paragraph(text, style)


def _wrap(text: str, column: float) -> str:
    """A plain-string cell of the MAR's tables, wrapped inside its column."""
    return pdf_wrap(text, font="Helvetica", size=8, width=column - 2 * CELL_PADDING)


def mar_pdf(*, banner, day, doses, orders, clinic_name: str, printed_by) -> bytes:
    """The patient's medication administration record for one day, as printed, with
    the allergies under the name (red when one is severe)."""
    patient = banner.patient
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(letter),
        leftMargin=0.5 * inch,
        rightMargin=0.5 * inch,
        topMargin=0.5 * inch,
        bottomMargin=0.5 * inch,
        title=f"MAR {patient.mrn} {day:%Y-%m-%d}",
        author=clinic_name,
    )
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    story = [
        pdf_paragraph(
            f"{clinic_name}: medication administration record", styles["Title"]
        ),
        Paragraph(
            pdf_markup(
                "<b>{name}</b> · MRN {mrn} · DOB {birth} · Day {day}",
                name=f"{patient.family_name}, {patient.given_name}",
                mrn=patient.mrn,
                birth=f"{patient.birth_date:%Y-%m-%d}",
                day=f"{day:%Y-%m-%d}",
            ),
            styles["Heading3"],
        ),
        Paragraph(
            pdf_markup("<b>Allergies:</b> {allergies}", allergies=banner.allergy_text),
            styles["BodyText"].clone(
                "allergies",
                textColor=colors.HexColor("#b00020") if banner.severe else colors.black,
            ),
        ),
        Spacer(1, 4),
    ]
    if orders:
        rows = [["Medication", "Dose", "Route", "Frequency", "Status", "Indication"]]
        for order in orders:
            rows.append(
                [
                    _cell(order.medication.name, small),
                    _wrap(order.dose_label, ORDER_COLUMNS[1]),
                    _wrap(order.route, ORDER_COLUMNS[2]),
                    _cell(order.sig, small),
                    _wrap(order.get_status_display(), ORDER_COLUMNS[4]),
                    _cell(order.indication or "", small),
                ]
            )
        table = Table(rows, repeatRows=1, colWidths=ORDER_COLUMNS)
        table.setStyle(_table_style())
        story += [Paragraph("Current orders", styles["Heading4"]), table, Spacer(1, 8)]
    rows = [
        ["Due", "Medication", "Dose / route", "State", "Given", "By", "Witness", "Note"]
    ]
    for dose in doses:
        given = (
            getattr(dose, "administration", None) if dose.status == "given" else None
        )
        note = dose.reason
        if given is not None:
            note = "; ".join(
                x for x in (given.timing_reason, given.note, given.site) if x
            )
        rows.append(
            [
                f"{timezone.localtime(dose.due_at):%H:%M}",
                _cell(dose.order.medication.name, small),
                _wrap(f"{dose.order.dose_label} {dose.order.route}", DOSE_COLUMNS[2]),
                _wrap(str(dose.state_label), DOSE_COLUMNS[3]),
                f"{timezone.localtime(given.given_at):%H:%M}" if given else "",
                _cell(
                    _name(given.given_by) if given else _name(dose.status_changed_by),
                    small,
                ),
                _cell(_name(given.witness) if given else "", small),
                _cell(note, small),
            ]
        )
    if len(rows) == 1:
        rows.append(["", "No doses on this day.", "", "", "", "", "", ""])
    table = Table(rows, repeatRows=1, colWidths=DOSE_COLUMNS)
    table.setStyle(_table_style())
    story += [Paragraph("Doses", styles["Heading4"]), table, Spacer(1, 10)]
    story.append(
        pdf_paragraph(
            f"Printed {timezone.localtime():%Y-%m-%d %H:%M} by {_name(printed_by)}.",
            small,
        )
    )
    footer = pdf_fit(
        f"{patient.family_name}, {patient.given_name} · MRN {patient.mrn} · "
        f"MAR {day:%Y-%m-%d}",
        font="Helvetica",
        size=7,
        width=document.width - 60,
    )

    def stamp(pdf, doc):
        # A page that comes loose still names its patient.
        pdf.saveState()
        pdf.setFont("Helvetica", 7)
        pdf.drawString(doc.leftMargin, 0.3 * inch, footer)
        pdf.drawRightString(doc.leftMargin + doc.width, 0.3 * inch, f"page {doc.page}")
        pdf.restoreState()

    document.build(story, onFirstPage=stamp, onLaterPages=stamp)
    return buffer.getvalue()


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _table_style() -> TableStyle:
    return TableStyle(
        [
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
            ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde4ee")),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#8899aa")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
