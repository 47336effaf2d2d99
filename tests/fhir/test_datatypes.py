from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from clinic.fhir_datatypes import (
    RXNORM,
    UCUM,
    V2_0203,
    clean,
    codeable,
    coding,
    date_time,
    human_name,
    identifier,
    instant,
    meta,
    period,
    practitioner,
    quantity,
    reference,
)


def test_clean_drops_what_fhir_forbids_at_any_depth():
    assert clean({"a": "", "b": [], "c": {"d": None}, "e": [{"f": ""}, 1]}) == {
        "e": [1]
    }
    assert clean({"v": Decimal("7.0"), "w": Decimal("6.5")}) == {"v": 7, "w": 6.5}


def test_instant_is_utc_with_zone():
    local = datetime(2026, 3, 8, 9, 30, tzinfo=ZoneInfo("America/New_York"))
    assert instant(local) == "2026-03-08T13:30:00Z"
    assert instant(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00Z"
    assert instant(None) is None


def test_builders_say_nothing_when_there_is_nothing():
    assert reference("Patient", None) is None
    assert codeable(RXNORM, "", None) is None
    assert codeable(None, None, text="Home remedy") == {"text": "Home remedy"}
    assert identifier("urn:clinicops:mrn", "") is None
    assert date(2026, 1, 1).isoformat() == "2026-01-01"


def test_practitioner_is_the_provider_else_the_name_alone():
    class Provider:
        pk = 3

    class User:
        username, provider = "nurse.kim", None
        first_name = last_name = ""

    nurse, doctor = User(), User()
    doctor.provider, doctor.username = Provider(), "dr.lee"
    assert practitioner(nurse) == {"display": "nurse.kim"}
    assert practitioner(doctor) == {"reference": "Practitioner/3", "display": "dr.lee"}
    assert practitioner(None) is None


# The builders' full forms, as they were written before they built their output
# clean: what each returns must be ``clean`` of its full form, odd inputs included.
def _full_forms():
    return {
        coding: lambda s, c, d=None: (
            clean({"system": s, "code": str(c), "display": d}) if c else None
        ),
        codeable: lambda s, c, d=None: (
            clean({"coding": [coding(s, c, d)], "text": d}) or None
        ),
        reference: lambda t, pk, d=None: (
            clean({"reference": f"{t}/{pk}", "display": d}) if pk is not None else None
        ),
    }


ODD_TEXT = ["", None, "x", "Zoë ½", " "]


def test_coding_codeable_and_reference_are_clean_of_their_full_forms():
    for builder, full in _full_forms().items():
        for a in ODD_TEXT:
            for b in [*ODD_TEXT, 0, 7]:
                for c in ODD_TEXT:
                    assert builder(a or "Patient", b, c) == full(a or "Patient", b, c)
    for text in ODD_TEXT:
        for code in ODD_TEXT:
            full = {"coding": [coding("s", code, "d")], "text": text or "d"}
            assert codeable("s", code, "d", text=text) == (clean(full) or None)


def test_identifier_name_quantity_period_and_meta_are_clean_of_their_full_forms():
    for value in ODD_TEXT:
        for kind in ODD_TEXT:
            expected = None
            if value:
                type_ = codeable(V2_0203, kind) if kind else None
                full = {"use": "usual", "type": type_, "system": "u", "value": value}
                expected = clean(full)
            assert identifier("u", value, type_code=kind) == expected
    for family in ODD_TEXT:
        given = ["", None, "Ann", "Zoë"]
        assert human_name(family, given) == clean(
            {"use": "official", "family": family, "given": given}
        )
    for amount in [None, 0, 2, 2.5, Decimal("4.20"), Decimal("5.0"), Decimal("0")]:
        for unit in ODD_TEXT:
            for ucum in (True, False):
                full = None
                if amount is not None:
                    system = UCUM if ucum and unit else None
                    full = clean(
                        {"value": amount, "unit": unit, "system": system, "code": unit}
                    )
                assert quantity(amount, unit, ucum=ucum) == full
    moments = [None, date(2024, 2, 29), datetime(2026, 1, 1, 8, tzinfo=UTC)]
    for start in moments:
        for end in moments:
            full = clean({"start": date_time(start), "end": date_time(end)}) or None
            assert period(start, end) == full
    for version in (None, 0, 12):
        for when in (None, moments[2]):
            for profile in ("", None, "http://p"):
                full = {
                    "versionId": str(version) if version is not None else None,
                    "lastUpdated": instant(when),
                    "profile": [profile] if profile else [],
                }
                got = meta(version_id=version, last_updated=when, profile=profile)
                assert got == clean(full)
