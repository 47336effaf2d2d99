"""Writing ORU^R01 messages the way a lab sends them (demo data, tests, staging)."""

from datetime import datetime

from django.utils import timezone

from diagnostics.models import DiagnosticOrder, TestDefinition


def _ts(when: datetime | None) -> str:
    return timezone.localtime(when or timezone.now()).strftime("%Y%m%d%H%M%S")


def oru_message(
    *,
    order: DiagnosticOrder,
    results: list[tuple[str, str, str, str]],
    control_id: str,
    accession: str | None = None,
    observed_at: datetime | None = None,
) -> str:
    """An ORU^R01 for ``order``; ``results`` are (test code, value, lab flag,
    status F/P/C). Segments end with CR."""
    patient = order.patient
    tests = {
        t.code: t
        for t in TestDefinition.objects.filter(code__in=[r[0] for r in results])
    }
    number = accession or order.accession
    segments = [
        f"MSH|^~\\&|ACMELAB|ACME|CLINICOPS|CLINIC|{_ts(None)}||ORU^R01^ORU_R01|"
        f"{control_id}|P|2.5.1",
        f"PID|1||{patient.mrn}^^^CLINIC^MR||{patient.family_name}^{patient.given_name}"
        f"||{patient.birth_date:%Y%m%d}",
        f"ORC|RE|{number}|LAB-{number}",
        f"OBR|1|{number}|LAB-{number}|{order.items.first().test.loinc}^"
        f"{order.items.first().test.name}^LN|||{_ts(observed_at)}",
    ]
    for index, (code, value, flag, status) in enumerate(results, start=1):
        test = tests[code]
        kind = {"numeric": "NM", "coded": "CWE", "text": "ST"}[test.result_type]
        shown = f"{value}^{value}^L" if kind == "CWE" else value
        segments.append(
            f"OBX|{index}|{kind}|{test.loinc}^{test.name}^LN||{shown}|{test.unit}||"
            f"{flag}|||{status}|||{_ts(observed_at)}"
        )
    return "\r".join(segments) + "\r"
