"""A claim printed on the CMS-1500 (02/12) layout, for payers that want paper.

The boxes carry their form numbers so the printout maps one to one onto the red
form; it is a plain-paper rendering, not an overlay for pre-printed stock.
"""

import io

from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas

from clinic.pdf import pdf_fit, pdf_wrap

LETTERS = "ABCDEFGHIJKL"
LEFT = 0.4 * inch
LABEL_HEIGHT = 10  # a box's label line, above its value
WIDTH = letter[0] - 0.8 * inch


def _box(pdf, x, y, w, h, label: str, value: str = "", size: int = 9) -> None:
    """A red box with its form label; the value wraps onto the lines the box has
    room for under the label (a newline starts a line) and never leaves it."""
    pdf.setStrokeColorRGB(0.75, 0.1, 0.1)
    pdf.rect(x, y, w, h)
    pdf.setFillColorRGB(0.75, 0.1, 0.1)
    pdf.setFont("Helvetica", 5.5)
    pdf.drawString(
        x + 2, y + h - 7, pdf_fit(label, font="Helvetica", size=5.5, width=w - 4)
    )
    pdf.setFillColorRGB(0, 0, 0)
    pdf.setFont("Courier", size)
    room = max(1, int((h - LABEL_HEIGHT) // (size + 1)))
    text = pdf_wrap(value, font="Courier", size=size, width=w - 8, max_lines=room)
    for index, line in enumerate(reversed(text.split("\n")[:room])):
        pdf.drawString(x + 4, y + 4 + index * (size + 1), line)


def _mdy(day) -> str:
    return day.strftime("%m %d %Y") if day else ""


def claim_pdf(claim) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter)
    pdf.setTitle(f"CMS-1500 {claim.claim_number}")
    patient = claim.patient
    coverage = claim.coverage
    provider = claim.billing_provider
    is_self = coverage.relationship == "18"
    insured = (
        f"{patient.family_name}, {patient.given_name}"
        if is_self
        else f"{coverage.subscriber_family_name}, {coverage.subscriber_given_name}"
    )
    half = WIDTH / 2
    # Box 5: the street on up to two lines, then city, state and ZIP on their own.
    street = pdf_wrap(
        " ".join(filter(None, [patient.address_line1, patient.address_line2])),
        font="Courier",
        size=9,
        width=half - 8,
        max_lines=2,
    )
    address = f"{street}\n{patient.city}, {patient.state} {patient.postal_code}"
    top = letter[1] - 0.5 * inch
    pdf.setFont("Helvetica-Bold", 13)
    pdf.drawString(LEFT, top, "HEALTH INSURANCE CLAIM FORM")
    pdf.setFont("Helvetica", 7)
    pdf.drawString(
        LEFT, top - 10, "APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12"
    )
    pdf.setFont("Helvetica", 9)
    payer = pdf_fit(claim.payer.name, font="Helvetica", size=9, width=WIDTH / 2 - 20)
    pdf.drawRightString(LEFT + WIDTH, top, payer)
    pdf.drawRightString(LEFT + WIDTH, top - 11, f"Payer ID {claim.payer.payer_id}")
    h = 24
    y = top - 20 - h
    rows = [
        (("1. INSURANCE TYPE", claim.payer.get_claim_filing_indicator_display()),
         ("1a. INSURED'S ID NUMBER", coverage.member_id)),
        (("2. PATIENT'S NAME (Last, First, MI)",
          f"{patient.family_name}, {patient.given_name} {patient.middle_name}".strip()),
         ("4. INSURED'S NAME (Last, First, MI)", insured)),
        (("3. PATIENT'S BIRTH DATE / SEX",
          f"{_mdy(patient.birth_date)}  {patient.sex_at_birth}"),
         ("6. PATIENT RELATIONSHIP TO INSURED", coverage.get_relationship_display())),
        (("5. PATIENT'S ADDRESS (No., Street / City, State, ZIP)", address),
         ("11. INSURED'S POLICY GROUP", coverage.group_number)),
        (("12. PATIENT'S SIGNATURE", "SIGNATURE ON FILE"),
         ("13. INSURED'S SIGNATURE", "SIGNATURE ON FILE")),
    ]  # fmt: skip
    for (left_label, left_value), (right_label, right_value) in rows:
        # A value of several lines (the address) makes its row taller.
        row = h + 10 * left_value.count("\n")
        y -= row - h
        _box(pdf, LEFT, y, half, row, left_label, left_value)
        _box(pdf, LEFT + half, y, half, row, right_label, right_value)
        y -= h
    _box(
        pdf,
        LEFT,
        y,
        WIDTH,
        h,
        "22. RESUBMISSION CODE / ORIGINAL REF. NO.",
        f"{claim.frequency_code}  {claim.payer_claim_number}"
        if claim.frequency_code != "1"
        else "",
    )
    y -= 2 * h
    codes = claim.diagnosis_list
    _box(
        pdf,
        LEFT,
        y,
        WIDTH,
        2 * h,
        "21. DIAGNOSIS OR NATURE OF ILLNESS OR INJURY  ICD Ind. 0",
    )
    pdf.setFont("Courier", 9)
    for index, code in enumerate(codes[:12]):
        col, row = index % 4, index // 4
        pdf.drawString(
            LEFT + 6 + col * WIDTH / 4,
            y + 2 * h - 18 - row * 11,
            f"{LETTERS[index]}. {code}",
        )
    y -= 14
    headers = [
        ("24A. DATE(S) OF SERVICE", 1.3),
        ("B. POS", 0.5),
        ("D. CPT/HCPCS  MODIFIER", 1.8),
        ("E. DX PTR", 0.8),
        ("F. $ CHARGES", 1.0),
        ("G. UNITS", 0.6),
        ("J. RENDERING NPI", 1.4),
    ]
    scale = WIDTH / sum(width for _label, width in headers)
    lines = list(claim.lines.all())
    for number in range(6):
        y -= 20
        x = LEFT
        line = lines[number] if number < len(lines) else None
        values = (
            [
                _mdy(line.service_date),
                claim.place_of_service,
                f"{line.code} {line.modifiers}".strip(),
                "".join(LETTERS[int(p) - 1] for p in line.pointer_list if p.isdigit()),
                f"{line.charge_amount:.2f}",
                f"{line.units.normalize():f}",
                claim.rendering_provider.npi,
            ]
            if line
            else [""] * len(headers)
        )
        for (label, width), value in zip(headers, values, strict=True):
            _box(pdf, x, y, width * scale, 20, label if number == 0 else "", value)
            x += width * scale
    y -= h
    third = WIDTH / 3
    _box(pdf, LEFT, y, third, h, "25. FEDERAL TAX I.D. NUMBER (EIN)", provider.tax_id)
    _box(
        pdf, LEFT + third, y, third, h, "26. PATIENT'S ACCOUNT NO.", claim.claim_number
    )
    _box(
        pdf,
        LEFT + 2 * third,
        y,
        third,
        h,
        "28. TOTAL CHARGE",
        f"$ {claim.total_charge:.2f}",
    )
    y -= 3 * h
    _box(
        pdf, LEFT, y, third, 3 * h,
        "31. SIGNATURE OF PHYSICIAN OR SUPPLIER", claim.rendering_provider.name,
    )  # fmt: skip
    _box(pdf, LEFT + third, y, third, 3 * h, "32. SERVICE FACILITY LOCATION", "")
    _box(pdf, LEFT + 2 * third, y, third, 3 * h, "33. BILLING PROVIDER INFO & PH #", "")
    pdf.setFont("Courier", 8)
    for offset, text in enumerate(
        [
            provider.name,
            provider.address_line1,
            f"{provider.city} {provider.state} {provider.postal_code}",
            f"a. NPI {provider.npi}",
        ]
    ):
        text = pdf_fit(text, font="Courier", size=8, width=third - 8)
        pdf.drawString(LEFT + 2 * third + 4, y + 3 * h - 18 - offset * 10, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
