"""A file's messages applied many to a transaction, each still all-or-nothing."""

import pytest

from alerts.models import StaffAlert
from automations.models import Event
from diagnostics.hl7v2 import batches
from diagnostics.hl7v2.importer import hl7_receive
from diagnostics.hl7v2.writer import oru_message
from diagnostics.models import DiagnosticOrder, Hl7Message, Observation
from tests.diagnostics.factories import make_order

pytestmark = pytest.mark.django_db

CBC = ["WBC", "RBC", "HGB", "HCT", "MCV", "MCH", "MCHC", "RDW", "PLT"]
VALUES = ["6.8", "4.6", "13.8", "41.2", "89", "30", "33.5", "13.1", "245"]


def _cbc(order, control_id: str, values=VALUES) -> str:
    results = [(c, v, "", "F") for c, v in zip(CBC, values, strict=True)]
    return oru_message(order=order, results=results, control_id=control_id)


def test_a_bad_fifth_obx_stores_nothing_of_its_message_and_the_others_land():
    good1, bad, good2 = make_order(), make_order(), make_order()
    broken = [*VALUES[:4], "eighty-nine", *VALUES[5:]]
    text = _cbc(good1, "B-1") + _cbc(bad, "B-2", broken) + _cbc(good2, "B-3")

    outcomes = hl7_receive(text=text)

    assert [o.message.ack_code for o in outcomes] == ["AA", "AE", "AA"]
    failed = outcomes[1].message
    assert failed.status == Hl7Message.Status.ERROR
    assert failed.error == "OBX 5 (MCV) has 'eighty-nine' where a number is expected."
    assert "ERR|" in failed.ack and failed.history.count() == 2
    assert bad.observations.count() == 0
    bad.refresh_from_db()
    assert bad.status != DiagnosticOrder.Status.FINAL
    assert not Event.objects.filter(subject_id=str(bad.pk)).exists()
    assert not StaffAlert.objects.filter(key=f"review:{bad.pk}").exists()
    for outcome, order in ((outcomes[0], good1), (outcomes[2], good2)):
        assert outcome.applied == [order.accession]
        assert order.observations.count() == 9
        order.refresh_from_db()
        assert order.status == DiagnosticOrder.Status.FINAL
        assert order.history.first().history_change_reason == "results: final"
        assert StaffAlert.objects.filter(key=f"review:{order.pk}").count() == 1
        event = Event.objects.get(kind="result.resulted", subject_id=str(order.pk))
        assert event.facts["result_flags"] == ["N"]
    observation = good1.observations.get(test__code="HGB")
    assert observation.history.count() == 1
    assert observation.hl7_message == outcomes[0].message


def test_a_second_message_in_the_same_file_sees_what_the_first_filed():
    order = make_order()
    first = _cbc(order, "S-1")
    again = _cbc(order, "S-2")  # final results already: a change must be a C
    outcomes = hl7_receive(text=first + again)
    assert [o.message.ack_code for o in outcomes] == ["AA", "AE"]
    assert "already has a final Leukocytes" in outcomes[1].message.error
    assert order.observations.count() == 9
    assert {o.history.count() for o in order.observations.all()} == {1}


def test_the_same_message_twice_in_one_file_is_stored_and_applied_once():
    order = make_order()
    text = _cbc(order, "T-1")
    first, second = hl7_receive(text=text + text)
    assert (second.duplicate, second.message.pk) == (True, first.message.pk)
    assert Hl7Message.objects.count() == 1
    assert Observation.objects.filter(order=order).count() == 9


def test_a_batch_whose_writes_fail_is_applied_one_message_at_a_time(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("lost the connection mid-batch")

    monkeypatch.setattr(batches, "messages_apply", broken)
    first, second = make_order(), make_order()
    outcomes = hl7_receive(text=_cbc(first, "F-1") + _cbc(second, "F-2"))
    assert all(o.ok for o in outcomes)
    assert Observation.objects.count() == 18


def test_the_queries_of_a_file_do_not_grow_with_its_messages(
    django_assert_max_num_queries,
):
    orders = [make_order() for _ in range(12)]
    text = "".join(_cbc(order, f"Q-{n}") for n, order in enumerate(orders))
    # A statement a kind of row for the whole file (the events' result flags are
    # the batch's, not read again an order).
    with django_assert_max_num_queries(30):
        outcomes = hl7_receive(text=text)
    assert all(o.ok for o in outcomes)


def test_a_result_event_carries_the_flags_automations_would_read():
    from automations.facts import subject_facts

    order, partial = make_order(), make_order()
    high = [*VALUES[:2], "19.5", *VALUES[3:]]  # haemoglobin high
    # A preliminary first half, then the rest in a second message.
    first = oru_message(
        order=partial,
        results=[(c, v, "", "P") for c, v in zip(CBC[:4], VALUES, strict=False)],
        control_id="E-2",
    )
    rest = [(c, v, "", "F") for c, v in zip(CBC, high, strict=True)]
    rest = oru_message(order=partial, results=rest, control_id="E-3")
    outcomes = hl7_receive(text=_cbc(order, "E-1", high) + first + rest)
    assert all(o.ok for o in outcomes)
    events = Event.objects.filter(kind="result.resulted").order_by("pk")
    assert [e.subject_id for e in events] == [str(order.pk), str(partial.pk)]
    for event, subject in zip(events, (order, partial), strict=True):
        assert event.facts["result_flags"] == ["H", "N"]
        assert event.facts["result_flags"] == subject_facts(subject)["result_flags"]
