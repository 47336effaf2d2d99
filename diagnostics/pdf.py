"""PDFs of diagnostics (reportlab): requisition, specimen label, result report."""

import io

from django.conf import settings
from django.utils import timezone
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch, mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from clinic.pdf import pdf_fit, pdf_markup, pdf_paragraph, pdf_wrap
from diagnostics.selectors import order_items_with_results
from diagnostics.units import unit_pdf_markup

STYLES = getSampleStyleSheet()
# Table cells: 9 pt, bold where the row is critical.
CELL = STYLES["BodyText"].clone("cell", fontSize=9, leading=11)
CELL_BOLD = CELL.clone("cell-bold", fontName="Helvetica-Bold")
FLAG_WORDS = {"L": "Low", "H": "High", "LL": "CRITICAL LOW", "HH": "CRITICAL HIGH"}
# reportlab's default left and right padding of a table cell.
CELL_PADDING = 6
# The frame is 7 inches wide (letter less two 0.75 inch margins): tables fill it.
PATIENT_COLUMNS = [1.3 * inch, 2.5 * inch, 0.9 * inch, 2.3 * inch]
TEST_COLUMNS = [2.8 * inch, 1.0 * inch, 2.2 * inch, 1.0 * inch]
RESULT_COLUMNS = [
    1.9 * inch,
    1.2 * inch,
    0.8 * inch,
    1.2 * inch,
    1.1 * inch,
    0.8 * inch,
]


def _local(when, fmt="%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(when).strftime(fmt) if when else "—"


def _person(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def _wrap(text, column: float, *, bold: bool = False, max_lines: int = 3) -> str:
    """A plain-string 9 pt cell wrapped inside its column."""
    font = "Helvetica-Bold" if bold else "Helvetica"
    return pdf_wrap(
        text,
        font=font,
        size=9,
        width=column - 2 * CELL_PADDING,
        max_lines=max_lines,
    )


def _row(values, columns, *, bold: bool = False) -> list[str]:
    return [
        _wrap(value, column, bold=bold)
        for value, column in zip(values, columns, strict=True)
    ]


def _patient_table(order) -> Table:
    patient = order.patient
    pairs = [
        ("Patient", f"{patient.family_name}, {patient.given_name}", "MRN", patient.mrn),
        ("Date of birth", patient.birth_date.isoformat(), "Accession", order.accession),
        (
            "Ordering clinician",
            _person(order.ordering_clinician),
            "Priority",
            order.get_priority_display(),
        ),
        (
            "Reason",
            f"{order.reason_code} {order.reason_text}".strip(),
            "Ordered",
            _local(order.ordered_at),
        ),
    ]
    widths = PATIENT_COLUMNS
    data = [
        [
            _wrap(label, widths[0], bold=True),
            # A reason is a diagnosis in words: shown whole, not cut.
            _wrap(value, widths[1], max_lines=8),
            _wrap(label2, widths[2], bold=True),
            _wrap(value2, widths[3], max_lines=8),
        ]
        for label, value, label2, value2 in pairs
    ]
    table = Table(data, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
                ("FONTNAME", (2, 0), (2, -1), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("BOX", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _doc(buffer, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        title=title,
        author=settings.CLINIC_NAME,
        leftMargin=0.75 * inch,
        rightMargin=0.75 * inch,
        topMargin=0.7 * inch,
        bottomMargin=0.7 * inch,
    )


def _footer(text: str):
    def draw(pdf, doc):
        pdf.saveState()
        pdf.setFont("Helvetica", 7)
        pdf.drawString(
            0.75 * inch, 0.4 * inch, f"{text} · page {doc.page} · confidential"
        )
        pdf.restoreState()

    return draw


def requisition_pdf(order) -> bytes:
    """The requisition that goes with the patient or specimen to the lab."""
    buffer = io.BytesIO()
    doc = _doc(buffer, f"Requisition {order.accession}")
    story = [
        pdf_paragraph(
            f"{settings.CLINIC_NAME} — Laboratory requisition", STYLES["Title"]
        ),
        # reportlab's own human-readable line touches the bars and hangs below
        # the flowable: the accession is printed as a line of its own.
        # The page margin is its quiet zone: the bars line up with the text.
        Code128(order.accession, barHeight=14 * mm, barWidth=0.4 * mm, quiet=False),
        Spacer(1, 1 * mm),
        pdf_paragraph(f"Accession {order.accession}", CELL),
        Spacer(1, 4 * mm),
        _patient_table(order),
        Spacer(1, 6 * mm),
    ]
    rows = [_row(["Test", "LOINC", "Specimen", "Panel"], TEST_COLUMNS, bold=True)]
    for item in order.items.all():
        rows.append(
            _row(
                [
                    item.test.name,
                    item.test.loinc,
                    item.test.get_specimen_type_display(),
                    item.panel.code if item.panel else "",
                ],
                TEST_COLUMNS,
            )
        )
    table = Table(rows, colWidths=TEST_COLUMNS, repeatRows=1)
    table.setStyle(_grid())
    story += [table, Spacer(1, 6 * mm)]
    fasting = "FASTING REQUIRED" if order.fasting else "No fasting required"
    story.append(
        Paragraph(pdf_markup("<b>{fasting}</b>", fasting=fasting), STYLES["Normal"])
    )
    if order.instructions:
        story.append(
            pdf_paragraph(f"Instructions: {order.instructions}", STYLES["Normal"])
        )
    doc.build(
        story,
        onFirstPage=_footer(order.accession),
        onLaterPages=_footer(order.accession),
    )
    return buffer.getvalue()


def label_pdf(order) -> bytes:
    """A 2 × 1 inch specimen label per specimen type, with the accession barcode."""
    buffer = io.BytesIO()
    size = (2.25 * inch, 1.25 * inch)
    pdf = canvas.Canvas(buffer, pagesize=size)
    pdf.setTitle(f"Labels {order.accession}")
    kinds = sorted(
        {item.test.get_specimen_type_display() for item in order.items.all()}
    )
    patient = order.patient
    room = size[0] - 12
    names = _label_name_lines(patient, width=room, top=size[1])
    below_name = names[-1][2] - 9
    for kind in kinds:
        lines = [
            *names,
            (
                "Helvetica",
                6.5,
                below_name,
                f"MRN {patient.mrn}  DOB {patient.birth_date.isoformat()}",
            ),
            ("Helvetica", 7, 0.22 * inch, f"{order.accession}  {kind}"),
            (
                "Helvetica",
                7,
                0.1 * inch,
                f"{order.get_priority_display()}  "
                f"{'FASTING ' if order.fasting else ''}{_local(order.collected_at)}",
            ),
        ]
        for font, points, y, text in lines:
            pdf.setFont(font, points)
            pdf.drawString(6, y, pdf_fit(text, font=font, size=points, width=room))
        barcode = Code128(order.accession, barHeight=0.42 * inch, barWidth=0.9)
        barcode.drawOn(pdf, 2, 0.36 * inch)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _label_name_lines(patient, *, width: float, top: float) -> list[tuple]:
    """The label's name: one line of 7 to 6 points, else family and given names
    on two lines (cut only past that): the label identifies the patient, so the
    given name is never lost behind a long family name."""
    name = f"{patient.family_name}, {patient.given_name}"
    for points in (7, 6.5, 6):
        if stringWidth(name, "Helvetica-Bold", points) <= width:
            return [("Helvetica-Bold", points, top - 11, name)]
    return [
        ("Helvetica-Bold", 6.5, top - 9, f"{patient.family_name},"),
        ("Helvetica-Bold", 6.5, top - 17, patient.given_name),
    ]


def report_pdf(order) -> bytes:
    """The result report: patient header, results with flags and ranges, reviewer."""
    buffer = io.BytesIO()
    doc = _doc(buffer, f"Results {order.accession}")
    story = [
        pdf_paragraph(f"{settings.CLINIC_NAME} — Laboratory results", STYLES["Title"]),
        _patient_table(order),
        Spacer(1, 3 * mm),
        Paragraph(
            pdf_markup(
                "Status: <b>{status}</b> · collected {collected} · resulted {resulted}",
                status=order.get_status_display(),
                collected=_local(order.collected_at),
                resulted=_local(order.resulted_at),
            ),
            STYLES["Normal"],
        ),
        Spacer(1, 4 * mm),
    ]
    columns = RESULT_COLUMNS
    header = ["Test", "Result", "Unit", "Flag", "Reference range", "Status"]
    rows = [_row(header, columns, bold=True)]
    styles = _grid()
    for index, row in enumerate(order_items_with_results(order), start=1):
        result = row["result"]
        if result is None:
            rows.append(_row([row["test"].name, "pending", "", "", "", ""], columns))
            continue
        flag = FLAG_WORDS.get(result.flag, "Abnormal" if result.flag == "A" else "")
        # The table's FONTNAME does not reach a Paragraph: a critical row's test
        # and value are bold through their style, the rest through the wrap.
        bold = result.is_critical
        if result.value_numeric is None and not result.unit:
            # A text result (a culture, a comment) reads across the value, unit,
            # flag and range columns rather than down a narrow one.
            rows.append(
                [
                    pdf_paragraph(row["test"].name, CELL_BOLD if bold else CELL),
                    pdf_paragraph(result.display_value, CELL_BOLD if bold else CELL),
                    "",
                    "",
                    "",
                    _wrap(result.get_status_display(), columns[5], bold=bold),
                ]
            )
            styles.add("SPAN", (1, index), (4, index))
            continue
        rows.append(
            [
                pdf_paragraph(row["test"].name, CELL_BOLD if bold else CELL),
                pdf_paragraph(result.display_value, CELL_BOLD if bold else CELL),
                Paragraph(unit_pdf_markup(result.unit), CELL_BOLD if bold else CELL),
                _wrap(flag, columns[3], bold=result.is_abnormal),
                _wrap(result.reference_range, columns[4], bold=bold),
                _wrap(result.get_status_display(), columns[5], bold=bold),
            ]
        )
        if result.is_critical:
            styles.add("TEXTCOLOR", (3, index), (3, index), colors.red)
            styles.add("FONTNAME", (0, index), (-1, index), "Helvetica-Bold")
        elif result.is_abnormal:
            styles.add("FONTNAME", (3, index), (3, index), "Helvetica-Bold")
    table = Table(rows, colWidths=columns, repeatRows=1)
    table.setStyle(styles)
    story += [table, Spacer(1, 6 * mm)]
    for observation in order.observations.all():
        for ack in observation.acknowledgements.all():
            story.append(
                pdf_paragraph(
                    f"Critical {observation.test.name} acknowledged by "
                    f"{_person(ack.acknowledged_by)} at "
                    f"{_local(ack.acknowledged_at)}: {ack.action_taken}",
                    STYLES["Normal"],
                )
            )
    if order.reviewed_at:
        reviewed = (
            f"Reviewed by {_person(order.reviewed_by)} on {_local(order.reviewed_at)}"
        )
        if order.review_note:
            reviewed += f": {order.review_note}"
    else:
        reviewed = "Not yet reviewed by a clinician."
    story += [Spacer(1, 3 * mm), pdf_paragraph(reviewed, STYLES["Normal"])]
    doc.build(
        story,
        onFirstPage=_footer(order.accession),
        onLaterPages=_footer(order.accession),
    )
    return buffer.getvalue()


def _grid() -> TableStyle:
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
