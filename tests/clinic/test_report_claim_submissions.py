"""The claim submissions and remittances report: batches with control numbers and
results, and every payment posted."""

from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import ClaimPayment, Remittance
from billing.services import claim_mark_ready, claims_submit
from clinic.reports import get_report
from clinic.reports.base import Filters
from tests.billing.factories import billed_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing_story():
    """Two claims in one batch; the 835 pays the first, denies the second, and
    carries a payment for a claim we never sent."""
    first, second = billed_claim(), billed_claim()
    for claim in (first, second):
        claim_mark_ready(claim=claim, actor=None)
    batch = claims_submit(actor=None)
    remittance = Remittance.objects.create(
        trace_number="TRN-77",
        payer_identifier="1999999999",
        payer_name="ACME HEALTH",
        payment_amount=Decimal("80.00"),
        file_name="era.835",
        content="",
    )
    payments = [
        ClaimPayment.objects.create(
            remittance=remittance,
            claim=claim,
            patient_control_number=claim.claim_number,
            status_code=code,
            charge_amount=claim.total_charge,
            paid_amount=paid,
        )
        for claim, code, paid in [
            (first, "1", Decimal("80.00")),
            (second, "4", Decimal("0.00")),
        ]
    ]
    payments.append(
        ClaimPayment.objects.create(
            remittance=remittance,
            patient_control_number="NOT-OURS-1",
            status_code="1",
            charge_amount=Decimal("10.00"),
            paid_amount=Decimal("10.00"),
        )
    )
    return {"claims": [first, second], "batch": batch, "payments": payments}


def test_batches_control_numbers_and_payments_in_one_record(billing_story):
    report = get_report("claim-submissions")
    headers = [str(c.header) for c in report.columns]
    table = [report.cells(row) for row in report.rows(Filters())]
    col = {name: headers.index(name) for name in headers}
    first, second = billing_story["claims"]
    batch = billing_story["batch"]
    assert [row[col["Event"]] for row in table] == ["submission"] * 2 + [
        "remittance"
    ] * 3
    assert [row[col["Claim"]] for row in table] == [
        first.claim_number,
        second.claim_number,
        first.claim_number,
        second.claim_number,
        "NOT-OURS-1",
    ]
    assert table[0][col["ISA13"]] == str(batch.isa_control_number)
    assert table[0][col["GS06"]] == str(batch.gs_control_number)
    assert table[0][col["Batch file / 835 trace"]] == batch.file_name
    assert table[0][col["Result"]] == batch.status
    assert [row[col["Result"]] for row in table[2:]] == [
        "1 processed as primary",
        "4 denied",
        "1 processed as primary",
    ]
    assert [row[col["Paid"]] for row in table[2:]] == ["80.00", "0.00", "10.00"]
    assert table[2][col["Batch file / 835 trace"]] == "TRN-77"
    assert table[4][col["Payer"]] == "ACME HEALTH"
    assert table[0][col["MRN"]] == first.patient.mrn


def test_kinds_and_patient_filter(billing_story):
    report = get_report("claim-submissions")
    first, second = billing_story["claims"]
    paid, denied, unmatched = billing_story["payments"]

    def rows(**filters):
        return [(r["event"], r["row_id"]) for r in report.rows(Filters(**filters))]

    assert rows(kind="denied") == [("remittance", denied.pk)]
    assert rows(kind="unmatched") == [("remittance", unmatched.pk)]
    assert rows(kind="rejected") == []
    assert rows(kind="submission") == [
        ("submission", first.pk),
        ("submission", second.pk),
    ]
    assert rows(patient=first.patient) == [
        ("submission", first.pk),
        ("remittance", paid.pk),
    ]


def test_the_page_answers_administrators_only(admin_client, client, make_user):
    url = reverse("clinic:report", args=["claim-submissions"])
    assert admin_client.get(url).status_code == 200
    client.force_login(make_user("Billing"))
    assert client.get(url).status_code == 403
