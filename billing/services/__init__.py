"""Billing's use cases, one module per subject."""

from billing.services.charges import (
    charge_add,
    charge_remove,
    charge_update,
    charges_capture_for_visit,
    charges_withdraw_for_visit,
    diagnosis_add,
    diagnosis_remove,
    visit_is_editable,
)
from billing.services.claim_lines import (
    claim_line_add,
    claim_line_remove,
    claim_line_update,
)
from billing.services.claims import (
    billing_provider_current,
    claim_assign,
    claim_close,
    claim_correct,
    claim_mark_ready,
    claim_note_add,
    claim_rebuild,
    claim_scrub,
    claim_update,
    claim_void,
    claims_create_for_visit,
    secondary_claim_create,
)
from billing.services.inbound import ack_import, inbound_file_import, inbound_read
from billing.services.remittance import exception_resolve, remittance_import
from billing.services.submission import (
    batch_retry,
    batch_transmit,
    claims_submit,
    claims_submit_reviewed,
)
from billing.services.uploads import remittance_upload_create

__all__ = [
    "ack_import",
    "batch_retry",
    "batch_transmit",
    "billing_provider_current",
    "charge_add",
    "charge_remove",
    "charge_update",
    "charges_capture_for_visit",
    "charges_withdraw_for_visit",
    "claim_assign",
    "claim_close",
    "claim_correct",
    "claim_line_add",
    "claim_line_remove",
    "claim_line_update",
    "claim_mark_ready",
    "claim_note_add",
    "claim_rebuild",
    "claim_scrub",
    "claim_update",
    "claim_void",
    "claims_create_for_visit",
    "claims_submit",
    "claims_submit_reviewed",
    "diagnosis_add",
    "diagnosis_remove",
    "exception_resolve",
    "inbound_file_import",
    "inbound_read",
    "remittance_import",
    "remittance_upload_create",
    "secondary_claim_create",
    "visit_is_editable",
]
