"""RQ entry points of diagnostics: ids in, one service each."""


def hl7_upload_job(upload_id: int) -> str | None:
    """Import an uploaded HL7 file; safe to run twice (the run claims the row)."""
    from diagnostics.hl7v2.uploads import hl7_upload_run

    return hl7_upload_run(upload_id=upload_id)
