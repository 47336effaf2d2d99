"""835 files from the page: posted by a background job with progress; NUL bytes,
duplicates and a worker that died."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from billing.models import Claim, Remittance, RemittanceUpload
from billing.services import claim_mark_ready, claims_submit
from billing.services import remittance as remittance_service
from billing.services.uploads import (
    remittance_upload_create,
    remittance_upload_run,
    remittance_uploads_sweep,
)
from billing.x12.writer_835 import remit_for_claim, write_835
from clinic.heartbeat import MAX_ATTEMPTS
from tests.billing.factories import billed_claim

pytestmark = pytest.mark.django_db

URL = "/billing/remittances/upload/"


def _submitted(n: int) -> list[Claim]:
    claims = [billed_claim() for _ in range(n)]
    for claim in claims:
        claim_mark_ready(claim=claim, actor=None)
    claims_submit(actor=None)
    return [Claim.objects.get(pk=c.pk) for c in claims]


def _835(claims, trace="BG-1") -> str:
    return write_835(
        trace_number=trace,
        payer_name="Acme Health",
        payer_tax_id="987654321",
        payee_name="Riverside Family Clinic",
        payee_npi="1234567893",
        payment_date=date(2026, 11, 20),
        claims=[remit_for_claim(claim, outcome="paid") for claim in claims],
    )


def test_nul_bytes_in_an_835_upload_are_refused_with_a_message(client, make_user):
    [claim] = _submitted(1)
    client.force_login(make_user("Billing"))
    text = _835([claim]).replace("Acme Health", "Acme\x00Health")
    response = client.post(URL, {"file": SimpleUploadedFile("r.835", text.encode())})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The file holds a NUL character (byte 0), which an X12 file never carries: "
        "it is damaged or not an 835. Nothing was posted."
    ]
    assert RemittanceUpload.objects.count() == 0 and Remittance.objects.count() == 0


def test_progress_reaches_the_row_while_the_posting_transaction_is_open(
    make_user, monkeypatch
):
    claims = _submitted(5)
    upload = remittance_upload_create(
        file_name="five.835", text=_835(claims), actor=make_user("Billing")
    )
    monkeypatch.setattr(remittance_service, "PROGRESS_EVERY", 2)
    heard = []
    original = remittance_service.remittance_import

    def listening(**kwargs):
        told = kwargs["progress"]

        def progress(done, total):
            heard.append((done, total))
            told(done, total)

        return original(**{**kwargs, "progress": progress})

    monkeypatch.setattr("billing.services.uploads.remittance_import", listening)
    assert remittance_upload_run(upload_id=upload.pk) == "done"
    upload.refresh_from_db()
    assert heard == [(0, 5), (2, 5), (4, 5)]
    assert (upload.status, upload.done_claims, upload.total_claims) == ("done", 5, 5)
    assert upload.remittance.claim_count == 5
    assert {c.status for c in Claim.objects.filter(pk__in=[c.pk for c in claims])} == {
        "paid"
    }


def test_a_file_the_835_rules_refuse_fails_with_the_reason_and_posts_nothing(
    make_user,
):
    [claim] = _submitted(1)
    text = _835([claim]).replace("BPR*I*", "BPR*I*1", 1)  # no longer balances
    upload = remittance_upload_create(
        file_name="bad.835", text=text, actor=make_user("Billing")
    )
    assert remittance_upload_run(upload_id=upload.pk) == "failed"
    upload.refresh_from_db()
    assert upload.error.startswith("The 835 could not be read, nothing was posted:")
    assert "does not balance" in upload.error
    assert Remittance.objects.count() == 0


def test_a_posting_whose_worker_died_runs_again_or_fails_at_its_last_attempt(
    make_user, django_capture_on_commit_callbacks
):
    [claim] = _submitted(1)
    upload = remittance_upload_create(
        file_name="r.835", text=_835([claim]), actor=make_user("Billing")
    )
    dead_since = timezone.now() - timedelta(minutes=3)
    RemittanceUpload.objects.filter(pk=upload.pk).update(
        status="running", attempts=1, started_at=dead_since, heartbeat_at=dead_since
    )
    with django_capture_on_commit_callbacks() as enqueued:
        remittance_uploads_sweep(timezone.now())
    upload.refresh_from_db()
    assert upload.status == "pending" and len(enqueued) >= 1
    assert remittance_upload_run(upload_id=upload.pk) == "done"

    RemittanceUpload.objects.filter(pk=upload.pk).update(
        status="running", attempts=MAX_ATTEMPTS, heartbeat_at=dead_since
    )
    remittance_uploads_sweep(timezone.now())
    upload.refresh_from_db()
    assert upload.status == "failed"
    assert upload.error.startswith(f"The posting stopped {MAX_ATTEMPTS} times")


@pytest.mark.django_db(transaction=True)
def test_a_large_835_is_posted_by_a_real_worker_and_the_page_follows_it(
    client, make_user, run_rq_worker
):
    claims = _submitted(30)
    client.force_login(make_user("Billing"))
    response = client.post(
        URL, {"file": SimpleUploadedFile("era.835", _835(claims).encode())}
    )
    upload = RemittanceUpload.objects.get()
    assert response["Location"] == reverse(
        "billing:remittance-upload-detail", args=[upload.pk]
    )
    waiting = client.get(response["Location"]).content.decode()
    assert "Waiting" in waiting and 'hx-trigger="every 1s"' in waiting

    run_rq_worker("billing")

    upload.refresh_from_db()
    assert (upload.status, upload.done_claims, upload.total_claims) == ("done", 30, 30)
    done = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "100%" in done and "Posted · 30 / 30 claims" in done
    assert "835 BG-1 posted: 30 claim(s), 0 unmatched" in done
    assert "hx-trigger" not in done
    assert Claim.objects.filter(status="paid").count() == 30
