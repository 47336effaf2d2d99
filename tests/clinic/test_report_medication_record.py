"""The medication administration record report: per patient or unit and dates,
with late and early doses, missed doses and overrides."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import AccessLog
from clinic.reports import get_report
from clinic.reports.base import Filters
from medications import services
from medications.models import ScheduledDose
from medications.services import Bedside
from tests.medications.factories import MedicationFactory, MedicationOrderFactory
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import LocationFactory

pytestmark = pytest.mark.django_db


def _bedside(mrn: str, **extra) -> Bedside:
    return Bedside(
        wristband=mrn,
        barcode="11111111111",
        amount="500",
        unit="mg",
        route="PO",
        **extra,
    )


@pytest.fixture
def ward(make_user):
    """One unit, two patients; Ann's four doses went four ways, Bob's is elsewhere."""
    now = timezone.now().replace(microsecond=0)
    nurse = make_user("Nurse", username="nora")
    infusion = LocationFactory(code="inf", name="Infusion")
    other = LocationFactory(code="clinic2", name="Second floor")
    drug = MedicationFactory(name="Amoxicillin", barcode="11111111111")
    ann = PatientFactory(mrn="MA1", family_name="Lee", given_name="Ann")
    bob = PatientFactory(mrn="MB2", family_name="Ray", given_name="Bob")
    order = MedicationOrderFactory(
        patient=ann,
        location=infusion,
        medication=drug,
        start_at=now - timedelta(days=1),
        allergy_override_reason="",
    )
    doses = {
        name: ScheduledDose.objects.create(order=order, due_at=now - ago)
        for name, ago in [
            ("on_time", timedelta(hours=10)),
            ("late", timedelta(hours=8)),
            ("held", timedelta(hours=6)),
            ("missed", timedelta(hours=5)),
        ]
    }
    services.dose_administer(
        dose=doses["on_time"],
        entry=_bedside("MA1"),
        actor=nurse,
        now=doses["on_time"].due_at + timedelta(minutes=5),
    )
    services.dose_administer(
        dose=doses["late"],
        entry=_bedside("MA1", reason="patient was in radiology"),
        actor=nurse,
        now=doses["late"].due_at + timedelta(minutes=95),
    )
    services.dose_hold(
        dose=doses["held"], actor=nurse, reason="BP 80/50", now=doses["held"].due_at
    )
    bob_order = MedicationOrderFactory(
        patient=bob,
        location=other,
        medication=drug,
        start_at=now - timedelta(days=1),
        allergy_override_reason="rash 1998, tolerated since",
    )
    ScheduledDose.objects.create(order=bob_order, due_at=now - timedelta(hours=1))
    return {"doses": doses, "infusion": infusion, "other": other, "ann": ann}


def _table(report, filters):
    return [report.cells(row) for row in report.rows(filters)]


def test_unit_record_shows_every_dose_with_its_outcome(ward):
    report = get_report("medication-record")
    table = _table(report, Filters(location=ward["infusion"]))
    headers = [str(c.header) for c in report.columns]
    outcome = headers.index("Outcome")
    minutes = headers.index("Minutes from due")
    reason = headers.index("Reason")
    assert [row[2] for row in table] == ["MA1"] * 4
    assert [row[outcome] for row in table] == ["on time", "late", "held", "missed"]
    assert [row[minutes] for row in table] == ["5", "95", "", ""]
    assert [row[reason] for row in table] == [
        "",
        "patient was in radiology",
        "BP 80/50",
        "",
    ]
    assert table[1][headers.index("By")] == "nora"
    assert table[1][headers.index("Amount given")] == "500 mg"
    assert table[2][headers.index("By")] == "nora"  # who held it
    assert table[0][1] == "Infusion" and table[0][3] == "Lee, Ann"


def test_kinds_pick_late_doses_missed_doses_and_overrides(ward):
    report = get_report("medication-record")
    doses = ward["doses"]

    def pks(**filters):
        return [row["pk"] for row in report.rows(Filters(**filters))]

    assert pks(kind="late") == [doses["late"].pk]
    assert pks(kind="held") == [doses["held"].pk]
    missed = pks(kind="missed")
    assert doses["missed"].pk in missed and len(missed) == 2  # and Bob's
    overrides = report.rows(Filters(kind="override"))
    assert [r["order__patient__mrn"] for r in overrides] == ["MA1", "MB2"]
    assert pks(kind="override", patient=ward["ann"]) == [doses["late"].pk]
    assert pks(username="nora") == [
        doses["on_time"].pk,
        doses["late"].pk,
        doses["held"].pk,
    ]
    tomorrow = timezone.now() + timedelta(days=1)
    assert pks(date_from=tomorrow) == []


def test_the_record_page_filters_by_unit_and_logs_the_look(admin_client, ward):
    url = reverse("clinic:report", args=["medication-record"])
    response = admin_client.get(url, {"location": ward["other"].pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert "MB2" in body and "MA1" not in body
    assert "rash 1998, tolerated since" in body
    entry = AccessLog.objects.get(what__startswith="report medication-record")
    assert "unit Second floor" in entry.what
    csv_text = b"".join(
        admin_client.get(
            reverse("clinic:report-csv", args=["medication-record"]),
            {"location": ward["infusion"].pk, "kind": "late"},
        ).streaming_content
    ).decode()
    header, late, hash_line = csv.reader(io.StringIO(csv_text))
    assert late[3] == "Lee, Ann"
    assert (late[header.index("Amount given")], late[header.index("Reason")]) == (
        "500 mg",
        "patient was in radiology",
    )
    assert hash_line[0].startswith("# SHA-256")


def test_a_background_export_keeps_the_unit_filter(ward):
    filters = Filters(location=ward["infusion"], kind="late", patient=ward["ann"])
    kept = Filters.from_json(filters.to_json())
    assert (kept.location, kept.kind, kept.patient) == (
        ward["infusion"],
        "late",
        ward["ann"],
    )
    assert kept.describe() == "patient MA1, unit Infusion, kind late"
