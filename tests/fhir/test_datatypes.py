from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from clinic.fhir_datatypes import (
    RXNORM,
    clean,
    codeable,
    identifier,
    instant,
    practitioner,
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
