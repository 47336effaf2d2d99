"""835 posting: paid, partly paid, denied, reversed, unmatched, a duplicate file,
and the 999 / 277CA acknowledgements."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from alerts.models import StaffAlert
from billing.exceptions import RemittanceRefused
from billing.models import Claim, ClaimPayment, Remittance
from billing.services import (
    ack_import,
    claim_mark_ready,
    claims_submit,
    remittance_import,
)
from billing.x12.reader_835 import ClaimRemit
from billing.x12.writer_835 import remit_for_claim, write_277ca, write_835, write_999
from tests.billing.factories import billed_claim

pytestmark = pytest.mark.django_db


def _submitted(n=1, extra_codes=("36415",)):
    claims = [billed_claim(extra_codes=extra_codes) for _ in range(n)]
    for claim in claims:
        claim_mark_ready(claim=claim, actor=None)
    claims_submit(actor=None)
    return [Claim.objects.get(pk=c.pk) for c in claims]


def _835(remits, trace="TRACE-1") -> str:
    return write_835(
        trace_number=trace,
        payer_name="Acme Health",
        payer_tax_id="987654321",
        payee_name="Riverside Family Clinic",
        payee_npi="1234567893",
        payment_date=date(2026, 11, 20),
        claims=remits,
    )


def test_paid_claim_is_posted_per_line():
    [claim] = _submitted()
    remittance_import(
        text=_835([remit_for_claim(claim, outcome="paid")]), file_name="a"
    )
    claim.refresh_from_db()
    assert claim.status == "paid"
    # 99213 $120: 80% = 96 less $20 copay; 36415 $15: 80% = 12.
    assert claim.paid_amount == Decimal("88.00")
    assert claim.patient_responsibility == Decimal("20.00")
    assert claim.adjustment_amount == Decimal("27.00")
    assert claim.balance == Decimal("0.00")
    assert claim.payer_claim_number == f"PCN{claim.pk:010d}"
    posted = ClaimPayment.objects.get(claim=claim).line_items
    by_line = {line.pk: line.code for line in claim.lines.all()}
    assert [(by_line[p["claim_line"]], p["paid"]) for p in posted] == [
        ("99213", Decimal("76.00")),
        ("36415", Decimal("12.00")),
    ]
    assert posted[0]["adjustments"] == [
        {"group": "CO", "reason": "45", "amount": "24.00"},
        {"group": "PR", "reason": "3", "amount": "20.00"},
    ]
    assert StaffAlert.objects.filter(kind="claim_denied").count() == 0


def test_partly_paid_claim_and_denied_claim_with_alert():
    partial, denied = _submitted(2)
    text = _835(
        [
            remit_for_claim(partial, outcome="partial"),
            remit_for_claim(denied, outcome="denied"),
        ]
    )
    remittance = remittance_import(text=text, file_name="b.835")
    assert remittance.payment_amount == Decimal("76.00")
    partial.refresh_from_db()
    denied.refresh_from_db()
    assert partial.status == "partially_paid"
    assert partial.paid_amount == Decimal("76.00")
    assert denied.status == "denied"
    assert denied.paid_amount == Decimal("0.00")
    assert denied.status_reason == "CO-50 Not deemed a medical necessity by the payer"
    alert = StaffAlert.objects.get(kind="claim_denied")
    assert alert.assigned_role == "Billing"
    assert alert.title == f"Claim {denied.claim_number} denied by {denied.payer.name}"
    assert alert.patient == denied.patient


def test_reversal_takes_the_payment_back():
    [claim] = _submitted()
    remittance_import(
        text=_835([remit_for_claim(claim, outcome="paid")]), file_name="1"
    )
    remittance_import(
        text=_835([remit_for_claim(claim, outcome="reversal")], trace="TRACE-2"),
        file_name="2",
    )
    claim.refresh_from_db()
    assert claim.status == "accepted"
    assert claim.paid_amount == Decimal("0.00")
    assert claim.patient_responsibility == Decimal("0.00")
    assert claim.status_reason == "Payment reversed by the payer (trace TRACE-2)"
    assert ClaimPayment.objects.filter(claim=claim, is_reversal=True).count() == 1


def test_unmatched_claim_goes_to_the_exceptions_list():
    [claim] = _submitted()
    stranger = ClaimRemit(
        patient_control_number="NOT-OURS-1",
        status_code="1",
        charge=Decimal("50.00"),
        paid=Decimal("40.00"),
        patient_responsibility=Decimal("0.00"),
        payer_claim_number="X1",
    )
    remittance = remittance_import(
        text=_835([remit_for_claim(claim, outcome="paid"), stranger]), file_name="c"
    )
    assert remittance.unmatched_count == 1
    exception = ClaimPayment.objects.get(claim__isnull=True)
    assert exception.patient_control_number == "NOT-OURS-1"
    assert exception.paid_amount == Decimal("40.00")
    claim.refresh_from_db()
    assert claim.status == "paid"


def test_the_same_835_twice_is_refused_and_posts_nothing():
    [claim] = _submitted()
    text = _835([remit_for_claim(claim, outcome="paid")], trace="EFT-777")
    first = remittance_import(text=text, file_name="d")
    with pytest.raises(RemittanceRefused) as refused:
        remittance_import(text=text, file_name="d-again")
    assert refused.value.message.startswith(
        "This 835 (trace number EFT-777) was already imported on "
    )
    assert refused.value.message.endswith(": nothing was posted again.")
    assert Remittance.objects.get() == first
    claim.refresh_from_db()
    assert claim.paid_amount == Decimal("88.00")


def test_a_broken_file_posts_nothing():
    [claim] = _submitted()
    text = _835([remit_for_claim(claim, outcome="paid")])
    unbalanced = text.replace("BPR*I*88*", "BPR*I*99*")
    with pytest.raises(RemittanceRefused) as refused:
        remittance_import(text=unbalanced, file_name="e")
    assert refused.value.message == (
        "The 835 could not be read, nothing was posted: BPR02 pays 99.00 but the "
        "claims add up to 88.00: the file does not balance."
    )
    cut = text[: text.index("SE*")]
    with pytest.raises(RemittanceRefused, match="cut short"):
        remittance_import(text=cut, file_name="f")
    assert Remittance.objects.count() == 0
    assert ClaimPayment.objects.count() == 0
    claim.refresh_from_db()
    assert claim.status == "submitted"


def test_import_835_command(tmp_path):
    [claim] = _submitted()
    path = tmp_path / "remit.835"
    path.write_text(_835([remit_for_claim(claim, outcome="paid")], trace="CMD-1"))
    out = io.StringIO()
    call_command("import_835", str(path), stdout=out)
    assert out.getvalue().strip() == (
        "remit.835: trace CMD-1, $88.00, 1 claims, 0 unmatched."
    )
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_835", str(path), stdout=io.StringIO(), stderr=err)
    assert failed.value.returncode == 1
    assert "was already imported" in err.getvalue()
    with pytest.raises(CommandError) as missing:
        call_command("import_835", str(tmp_path / "nope"))
    assert missing.value.returncode == 2


def test_999_accepts_the_batch_and_277ca_accepts_or_rejects_claims():
    good, bad = _submitted(2)
    batch = good.batch
    ack_import(text=write_999(batch=batch, accepted=True), file_name="a.999")
    batch.refresh_from_db()
    assert batch.status == "accepted"
    text = write_277ca(
        results=[
            (good.claim_number, True, ""),
            (bad.claim_number, False, "Subscriber ID not found"),
        ]
    )
    record = ack_import(text=text, file_name="a.277")
    assert record.summary == "1 accepted, 1 rejected, 0 unknown"
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == "accepted"
    assert bad.status == "rejected"
    assert bad.status_reason == "277CA A3: Subscriber ID not found"
    alert = StaffAlert.objects.get(kind="claim_rejected")
    assert alert.title == f"Claim {bad.claim_number} rejected: correct and resubmit"


def test_999_rejection_rejects_every_claim_of_the_batch():
    claims = _submitted(2)
    batch = claims[0].batch
    ack_import(
        text=write_999(batch=batch, accepted=False, note="NM109 invalid"),
        file_name="r.999",
    )
    batch.refresh_from_db()
    assert batch.status == "rejected"
    assert "element 9: invalid code value 'NM109 invalid'" in batch.ack_detail
    assert {c.status for c in Claim.objects.filter(batch=batch)} == {"rejected"}


def test_rejected_claim_is_corrected_and_resubmitted():
    from billing.services import claim_update

    [claim] = _submitted()
    ack_import(
        text=write_277ca(results=[(claim.claim_number, False, "Bad POS")]),
        file_name="x.277",
    )
    claim.refresh_from_db()
    claim_update(claim=claim, actor=None, place_of_service="22")
    claim_mark_ready(claim=claim, actor=None)
    batch = claims_submit(actor=None)
    claim.refresh_from_db()
    assert claim.status == "submitted"
    assert claim.batch == batch
    assert "CLM*" + claim.claim_number + "*135***22:B:1" in batch.content


def test_inbound_folder_is_read_by_the_sweeper(settings, tmp_path):
    from django.utils import timezone

    from billing.sweepers import read_clearinghouse_inbound

    settings.CLEARINGHOUSE_DIR = tmp_path
    settings.CLEARINGHOUSE_BACKEND = "folder"
    [claim] = _submitted()
    inbound = tmp_path / "inbound"
    inbound.mkdir()
    (inbound / "a.999").write_text(write_999(batch=claim.batch, accepted=True))
    (inbound / "b.835").write_text(_835([remit_for_claim(claim, outcome="paid")]))
    (inbound / "c.txt").write_text("not x12")
    assert read_clearinghouse_inbound(timezone.now()) == 2
    claim.refresh_from_db()
    claim.batch.refresh_from_db()
    assert claim.batch.status == "accepted"
    assert claim.status == "paid"
    assert sorted(p.name for p in (inbound / "processed").iterdir()) == [
        "a.999",
        "b.835",
    ]
    assert (inbound / "failed" / "c.txt").exists()
    assert (
        "not start with an ISA" in (inbound / "failed" / "c.txt.error.txt").read_text()
    )
