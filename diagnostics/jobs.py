"""RQ entry points of diagnostics: ids in, one service each."""

from diagnostics.hl7v2.upload_run import hl7_upload_run


def hl7_upload_job(upload_id: int) -> str | None:
    """Import an uploaded HL7 file; safe to run twice (the run claims the row)."""
    return hl7_upload_run(upload_id=upload_id)
