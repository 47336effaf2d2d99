"""HL7 v2.5.1 ORU^R01 import: each message all-or-nothing, one ACK each."""

from datetime import date
from decimal import Decimal

import pytest

from alerts.models import StaffAlert
from diagnostics.hl7v2.importer import hl7_receive, hl7_reprocess
from diagnostics.hl7v2.parsing import split_messages
from diagnostics.models import DiagnosticOrder, Hl7Message, Observation
from tests.diagnostics.factories import hl7_fixture, make_order
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _values(order):
    return {
        o.test.code: (o.display_value, o.flag, o.status)
        for o in order.observations.select_related("test")
    }


def _ack_msa(message: Hl7Message) -> list[str]:
    msa = next(s for s in message.ack.split("\r") if s.startswith("MSA"))
    return msa.split("|")


def test_a_cbc_message_files_numeric_results_computes_flags_and_acks_aa():
    # An adult of unknown sex: children's ranges differ.
    order = make_order(patient=PatientFactory(birth_date=date(1980, 1, 1)))
    [outcome] = hl7_receive(text=hl7_fixture("cbc_critical.hl7", order=order))

    assert outcome.ok and outcome.applied == [order.accession]
    assert _values(order) == {
        "WBC": ("7.2", "N", "F"),
        "HGB": ("6.1", "LL", "F"),  # no lab flag: computed from the critical limit
        "PLT": ("250", "N", "F"),
    }
    order.refresh_from_db()
    assert order.status == DiagnosticOrder.Status.PARTIAL  # 6 CBC tests still due
    assert _ack_msa(outcome.message) == ["MSA", "AA", "MSG-CBC-1"]
    assert outcome.message.ack.startswith("MSH|^~\\&|CLINICOPS|CLINIC|ACMELAB|ACME|")
    hgb = order.observations.get(test__code="HGB")
    assert (hgb.value_numeric, hgb.flag_from_lab, hgb.source) == (
        Decimal("6.1"),
        False,
        "hl7",
    )
    assert hgb.reference_range == "12-17.5"  # sex unknown: the neutral adult range


def test_a_critical_result_alerts_the_ordering_clinician():
    order = make_order()
    hl7_receive(text=hl7_fixture("cbc_critical.hl7", order=order))
    alert = StaffAlert.objects.get(kind="critical_result")
    hgb = order.observations.get(test__code="HGB")
    assert alert.assigned_user == order.ordering_clinician
    assert alert.priority == StaffAlert.Priority.URGENT
    assert alert.key == f"critical:{hgb.pk}"
    assert alert.patient == order.patient
    assert "Hemoglobin 6.1 g/dL (LL)" in alert.title


def test_several_obr_coded_text_repeated_fields_and_escapes():
    cbc = make_order()
    patient = cbc.patient
    ua = make_order(patient=patient, panels=("UA",), tests=("UCX",))
    [outcome] = hl7_receive(text=hl7_fixture("multi_obr.hl7", order=cbc, order2=ua))

    assert outcome.ok, outcome.message.error
    assert sorted(outcome.applied) == sorted([cbc.accession, ua.accession])
    assert _values(cbc) == {"WBC": ("12.5", "H", "F"), "HGB": ("13.9", "N", "F")}
    protein = ua.observations.get(test__code="UPRO")
    assert (protein.value_code, protein.value_text, protein.value_code_system) == (
        "POS",
        "Positive 1+",
        "L",
    )
    assert (protein.flag, protein.flag_from_lab) == ("A", True)
    glucose = ua.observations.get(test__code="UGLU")
    assert (glucose.value_text, glucose.flag) == ("Negative", "N")
    culture = ua.observations.get(test__code="UCX")
    # Repetitions become lines; \T\ \F\ \S\ are &, | and ^.
    assert culture.value_text == (
        "Mixed flora & skin contaminants\nRepeat if symptomatic | 48h ^ note"
    )
    ua.refresh_from_db()
    assert ua.status == DiagnosticOrder.Status.PARTIAL  # specific gravity missing


def test_a_corrected_result_replaces_the_value_and_keeps_the_old_in_history():
    order = make_order()
    hl7_receive(text=hl7_fixture("cbc_critical.hl7", order=order))
    [outcome] = hl7_receive(text=hl7_fixture("corrected.hl7", order=order))

    assert outcome.ok, outcome.message.error
    hgb = order.observations.get(test__code="HGB")
    assert (hgb.display_value, hgb.flag, hgb.status) == ("11.4", "L", "C")
    history = list(hgb.history.order_by("history_date"))
    assert [h.value_numeric for h in history] == [Decimal("6.1"), Decimal("11.4")]
    assert history[-1].history_change_reason == "corrected, was 6.1 LL"
    # The critical alert for the replaced value is closed; no new one for a low.
    alert = StaffAlert.objects.get(key=f"critical:{hgb.pk}")
    assert alert.status == StaffAlert.Status.RESOLVED
    assert alert.note == "Superseded by a corrected value."


def test_a_final_result_cannot_be_overwritten_without_status_c():
    order = make_order()
    hl7_receive(text=hl7_fixture("cbc_critical.hl7", order=order))
    again = hl7_fixture("corrected.hl7", order=order).replace("|C|||", "|F|||")
    [outcome] = hl7_receive(text=again)
    assert outcome.message.ack_code == "AE"
    assert "must come as a corrected result" in outcome.message.error
    assert order.observations.get(test__code="HGB").display_value == "6.1"


def test_an_unknown_accession_goes_to_the_error_list_and_reprocesses_later(
    make_user,
):
    [outcome] = hl7_receive(text=hl7_fixture("unknown_accession.hl7"))
    message = outcome.message
    assert (message.status, message.ack_code) == ("error", "AE")
    assert message.error == (
        "OBR 1: no order has the accession number A9999999999 or LAB-9. Check the "
        "number, then re-process."
    )
    assert _ack_msa(message)[:3] == ["MSA", "AE", "MSG-UNK-1"]
    assert Observation.objects.count() == 0

    # The order was placed under the lab's number after all: re-process.
    order = make_order()
    order.accession = "A9999999999"
    order.save()
    text = message.raw.replace("{MRN}", order.patient.mrn)
    message.raw = text
    message.save()
    again = hl7_reprocess(message=message, actor=make_user("Nurse"))
    assert again.ok and again.message.attempts == 2
    assert _values(order) == {"HGB": ("13.0", "N", "F")}


def test_a_truncated_message_is_rejected_and_nothing_is_applied():
    order = make_order()
    [outcome] = hl7_receive(text=hl7_fixture("truncated.hl7", order=order))
    message = outcome.message
    assert (message.status, message.ack_code) == ("rejected", "AR")
    assert message.error == (
        "OBX 2 (segment 5) is cut short: it ends at OBX-5, before OBX-11 (the "
        "result status)."
    )
    assert order.observations.count() == 0  # the good first OBX is not kept either
    order.refresh_from_db()
    assert order.status == DiagnosticOrder.Status.ORDERED


def test_wrong_segment_order_is_rejected():
    order = make_order()
    [outcome] = hl7_receive(text=hl7_fixture("wrong_order.hl7", order=order))
    assert outcome.message.ack_code == "AR"
    assert outcome.message.error == (
        "Wrong segment order: OBX (segment 3) comes before any OBR, so it belongs "
        "to no order."
    )
    assert order.observations.count() == 0


def test_one_bad_obx_rolls_back_the_whole_message_including_its_alert():
    order = make_order()
    text = hl7_fixture("cbc_critical.hl7", order=order).replace(
        "||250|", "||two hundred|"
    )
    [outcome] = hl7_receive(text=text)
    assert outcome.message.ack_code == "AE"
    assert outcome.message.error == (
        "OBX 3 (Platelets) has 'two hundred' where a number is expected."
    )
    assert order.observations.count() == 0
    assert StaffAlert.objects.filter(kind="critical_result").count() == 0


def test_a_file_of_several_messages_applies_each_on_its_own():
    order = make_order()
    outcomes = hl7_receive(text=hl7_fixture("batch.hl7", order=order))
    assert [(o.message.control_id, o.message.ack_code) for o in outcomes] == [
        ("MSG-BATCH-1", "AA"),
        ("MSG-BATCH-2", "AE"),
    ]
    assert order.observations.count() == 3


def test_the_same_message_twice_is_answered_with_its_first_ack_and_stored_once():
    order = make_order()
    text = hl7_fixture("cbc_critical.hl7", order=order)
    [first] = hl7_receive(text=text)
    [second] = hl7_receive(text=text)
    assert (second.duplicate, second.message.pk) == (True, first.message.pk)
    assert second.message.ack == first.message.ack
    assert Hl7Message.objects.count() == 1
    assert order.observations.get(test__code="HGB").history.count() == 1


def test_the_same_control_id_from_another_facility_is_another_message():
    order = make_order()
    text = hl7_fixture("cbc_critical.hl7", order=order)
    hl7_receive(text=text)
    other_lab = text.replace("|ACMELAB|ACME|", "|OTHERLAB|OTHER|", 1)
    [outcome] = hl7_receive(text=other_lab)
    assert not outcome.duplicate
    assert outcome.message.error.startswith("Already applied as message #")
    assert Hl7Message.objects.count() == 2


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("hello\rworld\r", "The message does not begin with an MSH header"),
        (
            "MSH|^~\\&|LAB|X|C|C|2026||ADT^A01|1|P|2.5.1\r",
            "The message type is ADT^A01",
        ),
        ("MSH|^~\\&|LAB|X|C|C|2026||ORU^R01|1|P\r", "The MSH header is cut short"),
        (
            "MSH|^~\\&|LAB|X|C|C|2026||ORU^R01|1|P|2.5.1\rPID|1\r",
            "The message has no OBR",
        ),
    ],
)
def test_unreadable_messages_are_rejected_with_a_reason(text, error):
    [outcome] = hl7_receive(text=text)
    assert outcome.message.ack_code == "AR"
    assert outcome.message.error.startswith(error)
    assert "MSA|AR|" in outcome.message.ack


def test_lf_line_endings_from_an_editor_are_read_as_segments():
    text = "MSH|^~\\&|A\nPID|1\r\nOBR|1\rMSH|^~\\&|B\n"
    assert split_messages(text) == ["MSH|^~\\&|A\rPID|1\rOBR|1\r", "MSH|^~\\&|B\r"]


def test_a_cancelled_order_does_not_take_results(make_user):
    from diagnostics.services import order_cancel

    order = make_order()
    order_cancel(order=order, reason="Duplicate order", actor=order.ordering_clinician)
    [outcome] = hl7_receive(text=hl7_fixture("cbc_critical.hl7", order=order))
    assert outcome.message.error == (
        f"Order {order.accession} was cancelled (Duplicate order); its results "
        "are not filed."
    )
