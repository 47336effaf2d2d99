"""The PHI access log for the API: who (the client) saw which patients' data.

One row per patient per request: a search Bundle of 50 patients writes 50 rows,
so "who saw this patient" (the access-log report, filtered by patient) answers
for API reads as it does for pages; one row per request would name no patient.
The rows of one request are chained under one lock in one insert
(``access_log_append``), so a full page costs one round trip, not fifty.
"""

from clinic.models import AccessLog
from clinic.services import access_log_append, access_log_entry
from fhir.related import key_at


def log_reads(*, grant, request, groups, what: str) -> None:
    """``groups``: (resource type, rows) pairs of what the answer shows."""
    seen: dict[int, object] = {}
    for resource, rows in groups:
        if resource.patient_path is None:
            continue
        for row in rows:
            patient_id = key_at(row, resource.patient_path)
            if patient_id is not None and patient_id not in seen:
                seen[patient_id] = row
    single = len(seen) == 1 and sum(len(rows) for _r, rows in groups) == 1
    access_log_append(
        [
            access_log_entry(
                user=None,
                username=grant.username,
                action=AccessLog.Action.VIEW,
                patient_id=patient_id,
                obj=row if single else None,
                what=what,
                request=request,
            )
            for patient_id, row in seen.items()
        ]
    )
