"""Issue #21: consent to texts belongs to the number. STOP from a shared number
stops everyone on it, START restarts exactly them; the patient-level consent of
before moves onto numbers without loss."""

import importlib

import pytest
from django.apps import apps

from alerts.exceptions import NumberStopped
from alerts.models import NumberConsent
from alerts.replies import inbound_sms_handle
from alerts.services import number_consent_record
from alerts.texting import number_reach, numbers_reach
from registration.models import Patient
from registration.selectors import patient_numbers
from registration.services import patient_register, patient_update
from tests.registration.factories import (
    PatientContactFactory,
    PatientFactory,
    number_texting,
)

pytestmark = pytest.mark.django_db

SHARED = "+15556660001"
OTHER = "+15556660002"
MIGRATION = importlib.import_module(
    "alerts.migrations.0007_number_consent_from_patients"
)


def _reply(body, sender, sid):
    return inbound_sms_handle(
        provider_id=sid, from_number=sender, to_number="", body=body, clinic="Clinic"
    )


def _textable(people) -> set[str]:
    """Who among patients and contacts may be texted now."""
    answers = numbers_reach([p.phone_mobile for p in people])
    return {p.name for p in people if answers[str(p.phone_mobile)].allowed}


def test_stop_from_a_shared_number_stops_everyone_on_it_and_start_restores_them():
    ana = PatientFactory(given_name="Ana", phone_mobile=SHARED, sms_consent=True)
    ben = PatientFactory(given_name="Ben", phone_mobile=SHARED, sms_consent=True)
    carl = PatientFactory(given_name="Carl", phone_mobile=OTHER, sms_consent=True)
    maria = PatientContactFactory(patient=carl, name="Maria", phone_mobile=SHARED)
    for patient in (ana, ben, carl):
        patient.name = patient.given_name
    people = [ana, ben, carl, maria]
    before = _textable(people)
    assert before == {"Ana", "Ben", "Carl", "Maria"}

    _reply("STOP", SHARED, "SM1")
    assert _textable(people) == {"Carl"}

    _reply("start", SHARED, "SM2")
    assert _textable(people) == before
    consent = NumberConsent.objects.get(number=SHARED)
    assert [h.how for h in consent.history.order_by("history_id")] == [
        "test",
        "replied STOP",
        "replied START",
    ]


def test_after_stop_only_start_from_the_phone_opts_the_number_in_again():
    _reply("STOP", SHARED, "SM1")
    with pytest.raises(NumberStopped, match="texts restart only when START"):
        number_consent_record(number=SHARED, allowed=True, source="front_desk")
    assert number_reach(SHARED).allowed is False
    assert number_reach(SHARED).why.startswith("Opted out: STOP/START reply")


def test_a_number_is_stored_normalised():
    number_consent_record(number="(617) 555-0100", allowed=True, source="front_desk")
    assert NumberConsent.objects.get().number == "+16175550100"
    assert number_reach("+16175550100").allowed is True


def test_the_migration_moves_patient_consent_onto_numbers_without_loss():
    agreed = PatientFactory(
        phone_mobile="+15556660010", sms_consent=False, sms_consent_method="written"
    )
    Patient.objects.filter(pk=agreed.pk).update(sms_consent=True)
    PatientFactory(phone_mobile="+15556660011", sms_consent=False)  # never asked
    yes = PatientFactory(phone_mobile=SHARED, sms_consent=False, mrn="Y1")
    Patient.objects.filter(pk=yes.pk).update(sms_consent=True)
    PatientFactory(phone_mobile=SHARED, sms_consent=False, mrn="N1")
    NumberConsent.objects.all().delete()

    assert MIGRATION.number_consent_from_patients(apps) == 2
    assert MIGRATION.number_consent_from_patients(apps) == 0  # runs again harmlessly

    moved = NumberConsent.objects.get(number="+15556660010")
    assert (moved.state, moved.source) == ("in", "migration")
    assert moved.how == f"agreed on the patient record (written): {agreed.mrn}"
    assert not NumberConsent.objects.filter(number="+15556660011").exists()
    disagreed = NumberConsent.objects.get(number=SHARED)
    assert disagreed.state == "out"
    assert disagreed.how == (
        "patients sharing this number disagreed (Y1 yes, N1 no); opted-out wins"
    )


def test_the_registration_form_answer_goes_onto_the_number(make_user):
    desk = make_user("Front desk")
    patient = patient_register(
        data={
            "given_name": "Eva",
            "family_name": "Stone",
            "birth_date": "1980-01-02",
            "phone_mobile": "+16175550120",
            "sms_consent": True,
            "sms_consent_method": "written",
        },
        actor=desk,
    )
    consent = NumberConsent.objects.get(number="+16175550120")
    assert (consent.state, consent.source, consent.changed_by) == (
        "in",
        "registration",
        desk,
    )
    patient_update(patient=patient, data={"sms_consent": False}, actor=desk)
    consent.refresh_from_db()
    assert consent.state == "out"


def test_the_chart_lists_each_number_with_why():
    patient = PatientFactory(phone_mobile=SHARED, sms_consent=True)
    contact = PatientContactFactory(patient=patient, phone_mobile=OTHER)
    number_texting(OTHER, allowed=False)
    rows = patient_numbers(patient=patient, contacts=[contact])
    assert [(r.owner, r.reach.allowed) for r in rows] == [
        ("Patient", True),
        (str(contact), False),
    ]
    assert rows[1].reach.why.startswith("Opted out: Front desk · test")
