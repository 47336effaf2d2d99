"""Charge capture from scheduling, and the wiring of billing's pages."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from billing.models import Charge, Claim, ClaimNote, VisitDiagnosis
from billing.services import (
    claim_mark_ready,
    claims_submit,
    diagnosis_add,
    remittance_import,
)
from billing.x12.writer_835 import remit_for_claim, write_835
from clinic.models import AccessLog
from scheduling.services import appointment_complete
from tests.billing.factories import (
    billed_claim,
    completed_visit,
    fee_schedule,
    patient_with_address,
)
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("clinic_midday")
def test_completing_a_visit_captures_draft_charges_from_its_type(make_user):
    fee_schedule()
    visit = AppointmentFactory(
        appointment_type=AppointmentTypeFactory(billing_code="99214"),
        status="in_room",
        start=timezone.now() - timedelta(hours=1),
    )
    visit.end = visit.start + timedelta(minutes=30)
    visit.save()
    appointment_complete(appointment=visit, actor=make_user("Front desk"))
    charge = Charge.objects.get(appointment=visit)
    assert (charge.code, charge.unit_price, charge.status) == (
        "99214",
        Decimal("180.00"),
        "draft",
    )
    assert charge.provider == visit.provider
    assert charge.description == "Office visit, established, moderate"


TWELVE_BILLABLE = [
    "E11.9",
    "E11.65",
    "E78.5",
    "I10",
    "J45.909",
    "M54.50",
    "D64.9",
    "L82.1",
    "Z00.00",
    "E66.9",
    "R51.9",
    "K21.9",
]


def test_diagnoses_are_numbered_and_at_most_twelve(make_user):
    visit = completed_visit(diagnoses=())
    for code in TWELVE_BILLABLE:
        diagnosis_add(appointment=visit, code=code, actor=None)
    assert list(visit.diagnoses.values_list("position", flat=True)) == list(
        range(1, 13)
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        diagnosis_add(appointment=visit, code="I10", actor=None)
    assert raised.value.message_dict == {"code": ["A visit has at most 12 diagnoses."]}


def test_billing_reviews_charges_and_creates_the_claim(client, make_user):
    fee_schedule()
    from tests.billing.factories import BillingProviderFactory
    from tests.registration.factories import CoverageFactory

    BillingProviderFactory()
    patient = patient_with_address()
    CoverageFactory(patient=patient, group_number="G1")
    visit = completed_visit(patient=patient, diagnoses=())
    biller = make_user("Billing")
    client.force_login(biller)
    page = client.get(reverse("billing:visit-charges", args=[visit.pk]))
    assert page.status_code == 200
    assert AccessLog.objects.filter(patient=patient, what="visit charges").exists()
    client.post(
        reverse("billing:diagnosis-add", args=[visit.pk]),
        {"code": "i10", "description": "Hypertension"},
    )
    assert list(
        VisitDiagnosis.objects.filter(appointment=visit).values_list("code", flat=True)
    ) == ["I10"]
    response = client.post(
        reverse("billing:charge-add", args=[visit.pk]),
        {"code": "36415", "modifiers": "", "units": "1", "diagnosis_pointers": "1"},
    )
    assert response.status_code == 302
    bad = client.post(
        reverse("billing:charge-add", args=[visit.pk]),
        {"code": "ABC", "units": "1", "diagnosis_pointers": "1"},
    )
    assert bad.status_code == 200
    assert "A CPT/HCPCS code is five digits" in bad.content.decode()
    response = client.post(reverse("billing:claim-create", args=[visit.pk]))
    claim = Claim.objects.get(appointment=visit)
    assert response["Location"] == reverse("billing:claim-detail", args=[claim.pk])
    assert claim.total_charge == Decimal("135.00")
    assert claim.diagnosis_codes == "I10"
    assert claim.scrub_errors == []
    # Editing a charge while the claim is a draft rebuilds the claim.
    charge = Charge.objects.get(appointment=visit, code="36415")
    client.post(
        reverse("billing:charge-edit", args=[charge.pk]),
        {"code": "36415", "units": "2", "diagnosis_pointers": "1", "modifiers": ""},
    )
    claim.refresh_from_db()
    assert claim.total_charge == Decimal("150.00")


def test_claim_page_actions(client, make_user):
    biller = make_user("Billing")
    client.force_login(biller)
    claim = billed_claim()
    url = reverse("billing:claim-detail", args=[claim.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert AccessLog.objects.filter(patient=claim.patient, what="claim").count() == 1
    client.post(
        reverse("billing:claim-note", args=[claim.pk]), {"text": "Called payer"}
    )
    assert ClaimNote.objects.get(claim=claim).text == "Called payer"
    client.post(reverse("billing:claim-assign", args=[claim.pk]), {"user": biller.pk})
    response = client.post(reverse("billing:claim-ready", args=[claim.pk]), follow=True)
    assert "ready to submit" in response.content.decode()
    claim.refresh_from_db()
    assert (claim.status, claim.assigned_to) == ("ready", biller)
    response = client.post(reverse("billing:submit"), {"claim": [claim.pk]})
    claim.refresh_from_db()
    assert claim.status == "submitted"
    assert response["Location"] == claim.batch.get_absolute_url()


def test_claim_page_query_count_is_bounded(
    client, make_user, django_assert_max_num_queries
):
    client.force_login(make_user("Billing"))
    claim = billed_claim(extra_codes=["36415", "85025"])
    with django_assert_max_num_queries(25):
        assert (
            client.get(reverse("billing:claim-detail", args=[claim.pk])).status_code
            == 200
        )


def test_upload_835_page_posts_and_refuses_a_duplicate(client, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from billing.models import RemittanceUpload
    from billing.services.uploads import remittance_upload_run

    claim = billed_claim()
    claim_mark_ready(claim=claim, actor=None)
    claims_submit(actor=None)
    claim.refresh_from_db()
    text = write_835(
        trace_number="UP-1",
        payer_name="Acme",
        payer_tax_id="987654321",
        payee_name="Clinic",
        payee_npi="1234567893",
        payment_date=timezone.localdate(),
        claims=[remit_for_claim(claim, outcome="paid")],
    )
    client.force_login(make_user("Billing"))
    url = reverse("billing:remittance-upload")
    response = client.post(url, {"file": SimpleUploadedFile("r.835", text.encode())})
    upload = RemittanceUpload.objects.get()
    assert response["Location"] == upload.get_absolute_url()
    assert remittance_upload_run(upload_id=upload.pk) == "done"
    claim.refresh_from_db()
    assert claim.status == "paid"
    page = client.get(upload.get_absolute_url()).content.decode()
    assert "835 UP-1 posted: 1 claim(s), 0 unmatched" in page
    again = client.post(url, {"file": SimpleUploadedFile("r.835", text.encode())})
    assert again.status_code == 200
    assert "(trace number UP-1) was already imported" in again.content.decode()
    junk = client.post(url, {"file": SimpleUploadedFile("x.txt", b"hello")})
    assert "This is not an X12 file" in junk.content.decode()


def test_cms1500_pdf_shows_the_claim(client, make_user):
    claim = billed_claim(extra_codes=["36415"], diagnoses=("E11.9", "I10"))
    client.force_login(make_user("Billing"))
    response = client.get(reverse("billing:claim-pdf", args=[claim.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "HEALTH INSURANCE CLAIM FORM" in text
    assert claim.coverage.member_id in text
    assert "A. E11.9" in text and "B. I10" in text
    assert "99213" in text and "36415" in text
    assert "$ 135.00" in text
    assert AccessLog.objects.filter(
        patient=claim.patient, action="export", what="CMS-1500 printout"
    ).exists()


def test_reports_aging_buckets_and_csv(client, make_user):
    today = timezone.localdate()
    old = billed_claim(day=today - timedelta(days=45))
    new = billed_claim(day=today - timedelta(days=3))
    for claim in (old, new):
        claim_mark_ready(claim=claim, actor=None)
    claims_submit(actor=None)
    client.force_login(make_user("Billing"))
    response = client.get(reverse("billing:reports"))
    aging = response.context["aging"]
    assert aging["totals"]["0-30"] == Decimal("120.00")
    assert aging["totals"]["31-60"] == Decimal("120.00")
    assert aging["grand_total"] == Decimal("240.00")
    # The chart: a bar for each bucket with a balance, the same two as wide.
    bars = [rect for rect in response.context["aging_chart"].rects if rect.title]
    assert [bar.title for bar in bars] == [
        "0-30 · open balance: $120.00",
        "31-60 · open balance: $120.00",
    ]
    assert bars[0].width == bars[1].width == 300
    assert 'id="aging-chart"' in response.content.decode()
    csv = client.get(reverse("billing:reports") + "?format=csv").content.decode()
    lines = csv.strip().splitlines()
    assert lines[0] == "Payer,0-30,31-60,61-90,90+,Total"
    assert lines[-1] == "All payers,120.00,120.00,0.00,0.00,240.00"


def test_denied_queue_shows_the_reason_in_words(client, make_user):
    claim = billed_claim()
    claim_mark_ready(claim=claim, actor=None)
    claims_submit(actor=None)
    claim.refresh_from_db()
    text = write_835(
        trace_number="Q-1",
        payer_name="Acme",
        payer_tax_id="987654321",
        payee_name="Clinic",
        payee_npi="1234567893",
        payment_date=timezone.localdate(),
        claims=[remit_for_claim(claim, outcome="denied")],
    )
    remittance_import(text=text, file_name="q")
    client.force_login(make_user("Billing"))
    response = client.get(reverse("billing:work-queue") + "?queue=denied")
    body = response.content.decode()
    assert claim.claim_number in body
    assert "CO-50 Not deemed a medical necessity by the payer" in body


def test_chart_claims_panel_for_billing_only(client, make_user):
    claim = billed_claim()
    url = reverse("registration:patient-chart", args=[claim.patient.pk])
    client.force_login(make_user("Billing"))
    body = client.get(url).content.decode()
    assert 'id="chart-claims"' in body
    assert claim.claim_number in body
    client.force_login(make_user("Nurse"))
    assert 'id="chart-claims"' not in client.get(url).content.decode()


def test_clinician_lists_diagnoses_but_cannot_change_charges(client, make_user):
    visit = completed_visit(diagnoses=())
    client.force_login(make_user("Clinician"))
    page = client.get(reverse("billing:visit-charges", args=[visit.pk]))
    assert page.status_code == 200
    assert 'id="diagnosis-form"' in page.content.decode()
    assert 'id="charge-form"' not in page.content.decode()
    client.post(reverse("billing:diagnosis-add", args=[visit.pk]), {"code": "J45.909"})
    assert visit.diagnoses.get().code == "J45.909"
    charge = visit.charges.get()
    response = client.post(reverse("billing:charge-remove", args=[charge.pk]))
    assert response.status_code == 403
