"""Submission: ready claims become one batch in one transaction; a batch leaves at
most once, even when the job runs twice or the worker dies after sending."""

import io

import django_rq
import pytest
from django.core.management import call_command
from django.db import transaction

from billing.jobs import batch_transmit_job
from billing.models import Claim, SubmissionBatch
from billing.services import (
    batch_retry,
    batch_transmit,
    claim_mark_ready,
    claims_submit,
)
from tests.billing.clearinghouse_for_tests import sends
from tests.billing.factories import billed_claim, pyx12_errors

COUNTING = "tests.billing.clearinghouse_for_tests.CountingFolder"
KILLED = "tests.billing.clearinghouse_for_tests.KilledAfterSend"


@pytest.fixture
def clearinghouse(settings, tmp_path, monkeypatch):
    settings.CLEARINGHOUSE_DIR = tmp_path
    settings.CLEARINGHOUSE_BACKEND = COUNTING
    monkeypatch.setenv("CLEARINGHOUSE_DIR", str(tmp_path))
    monkeypatch.setenv("CLEARINGHOUSE_BACKEND", COUNTING)
    return tmp_path


def _ready_claims(n: int) -> list[Claim]:
    claims = []
    for _ in range(n):
        claim = billed_claim()
        claims.append(claim_mark_ready(claim=claim, actor=None))
    return claims


@pytest.mark.django_db
def test_submit_builds_one_batch_of_the_ready_claims(clearinghouse, make_user):
    biller = make_user("Billing")
    ready = _ready_claims(3)
    draft = billed_claim()
    with transaction.atomic():
        batch = claims_submit(actor=biller)
        assert django_rq.get_queue("billing").count == 0, "enqueued only after commit"
    assert batch.claim_count == 3
    assert batch.total_charge == sum(c.total_charge for c in ready)
    assert set(batch.claims.values_list("pk", flat=True)) == {c.pk for c in ready}
    assert Claim.objects.get(pk=draft.pk).status == "draft"
    assert {c.status for c in Claim.objects.filter(batch=batch)} == {"submitted"}
    assert pyx12_errors(batch.content) == []
    # Nothing ready any more: no second, empty batch.
    assert claims_submit(actor=biller) is None


@pytest.mark.django_db
def test_job_run_twice_sends_once(clearinghouse):
    _ready_claims(1)
    batch = claims_submit(actor=None)
    assert batch_transmit(batch_id=batch.pk) == "sent"
    assert batch_transmit(batch_id=batch.pk) == "sent"
    batch.refresh_from_db()
    assert batch.status == "sent"
    assert batch.attempts == 1
    assert sends() == [str(batch.isa_control_number)]
    sent = clearinghouse / "outbound" / batch.file_name
    assert sent.read_text() == batch.content


@pytest.mark.django_db
def test_transmitting_batch_found_at_the_clearinghouse_is_not_sent_again(
    clearinghouse,
):
    _ready_claims(1)
    batch = claims_submit(actor=None)
    # A worker wrote the file and died before recording it.
    (clearinghouse / "outbound").mkdir(exist_ok=True)
    (clearinghouse / "outbound" / batch.file_name).write_text(batch.content)
    batch.status = SubmissionBatch.Status.TRANSMITTING
    batch.attempts = 1
    batch.save()
    assert batch_transmit(batch_id=batch.pk) == "reconciled"
    batch.refresh_from_db()
    assert batch.status == "sent"
    assert batch.remote_reference == "reconciled"
    assert sends() == []


@pytest.mark.django_db
def test_transmitting_batch_that_never_arrived_is_sent(clearinghouse):
    _ready_claims(1)
    batch = claims_submit(actor=None)
    batch.status = SubmissionBatch.Status.TRANSMITTING
    batch.save()
    assert batch_transmit(batch_id=batch.pk) == "sent"
    assert sends() == [str(batch.isa_control_number)]


@pytest.mark.django_db
def test_unreachable_clearinghouse_fails_the_batch_and_retry_sends_it(
    clearinghouse, settings, make_user
):
    settings.CLEARINGHOUSE_BACKEND = "tests.billing.clearinghouse_for_tests.Unreachable"
    _ready_claims(1)
    batch = claims_submit(actor=None)
    assert batch_transmit(batch_id=batch.pk) == "failed"
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert batch.last_error == "connection refused"
    settings.CLEARINGHOUSE_BACKEND = COUNTING
    batch_retry(batch=batch, actor=make_user("Billing"))
    assert batch_transmit(batch_id=batch.pk) == "sent"
    assert sends() == [str(batch.isa_control_number)]


@pytest.mark.django_db(transaction=True)
def test_worker_killed_after_transmit_does_not_send_twice(
    clearinghouse, monkeypatch, settings, run_rq_worker
):
    _ready_claims(2)
    monkeypatch.setenv("CLEARINGHOUSE_BACKEND", KILLED)
    batch = claims_submit(actor=None)
    queue = django_rq.get_queue("billing")
    assert queue.count == 1

    run_rq_worker("billing")  # the work-horse is SIGKILLed right after sending
    batch.refresh_from_db()
    assert batch.status == "transmitting"
    assert sends() == [str(batch.isa_control_number)]

    # The job runs again (a retry, the sweeper): it reconciles instead of sending.
    monkeypatch.setenv("CLEARINGHOUSE_BACKEND", COUNTING)
    queue.enqueue(batch_transmit_job, batch.pk)
    run_rq_worker("billing")
    batch.refresh_from_db()
    assert batch.status == "sent"
    assert batch.remote_reference == "reconciled"
    assert batch.attempts == 1
    assert sends() == [str(batch.isa_control_number)]


@pytest.mark.django_db
def test_submit_claims_command(clearinghouse):
    _ready_claims(2)
    out = io.StringIO()
    call_command("submit_claims", stdout=out)
    batch = SubmissionBatch.objects.get()
    assert out.getvalue().strip() == (
        f"Batch {batch.isa_control_number:09d}: 2 claims, $240.00, "
        f"file {batch.file_name}."
    )
    out = io.StringIO()
    call_command("submit_claims", stdout=out)
    assert out.getvalue().strip() == "No claim is ready to submit."


@pytest.fixture
def http_clearinghouse(settings):
    from tests.billing.fake_clearinghouse import FakeClearinghouse

    fake = FakeClearinghouse().start()
    settings.CLEARINGHOUSE_BACKEND = "http"
    settings.CLEARINGHOUSE_URL = fake.url
    settings.CLEARINGHOUSE_TIMEOUT_SECONDS = 5
    yield fake
    fake.stop()


@pytest.mark.django_db
def test_http_backend_retries_a_busy_clearinghouse(http_clearinghouse):
    http_clearinghouse.script = [503, 502]
    _ready_claims(1)
    batch = claims_submit(actor=None)
    assert batch_transmit(batch_id=batch.pk) == "sent"
    key = f"{batch.isa_control_number:09d}"
    assert http_clearinghouse.posts == 3
    assert http_clearinghouse.files[key] == batch.content.encode()
    batch.refresh_from_db()
    assert (batch.status, batch.backend) == ("sent", "http")


@pytest.mark.django_db
def test_http_backend_reconciles_instead_of_posting_again(http_clearinghouse):
    _ready_claims(1)
    batch = claims_submit(actor=None)
    http_clearinghouse.files[f"{batch.isa_control_number:09d}"] = b"already here"
    batch.status = SubmissionBatch.Status.TRANSMITTING
    batch.save()
    assert batch_transmit(batch_id=batch.pk) == "reconciled"
    assert http_clearinghouse.posts == 0


@pytest.mark.django_db
def test_http_backend_refusal_fails_the_batch(http_clearinghouse):
    http_clearinghouse.script = [400]
    _ready_claims(1)
    batch = claims_submit(actor=None)
    assert batch_transmit(batch_id=batch.pk) == "failed"
    batch.refresh_from_db()
    assert batch.last_error == "The clearinghouse refused the file: HTTP 400 busy"
    assert http_clearinghouse.posts == 1
