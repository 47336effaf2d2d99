"""A bulk export maps light rows (fhir/light_rows.py): the same mapper must write
the very same bytes from them as from model instances, odd values included. The
mappers build their resources without a pass of ``clean``: each must already be
clean (``clean`` would change nothing), valid R4 and parsed by fhirclient, and its
NDJSON line (orjson, fhir/ndjson.py) must parse to what ``json`` writes."""

import json
from datetime import date
from decimal import Decimal

import pytest

from clinic.fhir_datatypes import clean
from diagnostics import services
from diagnostics.models import Observation, TestDefinition
from fhir.light_rows import light_rows
from fhir.ndjson import ndjson_line
from fhir.registry import resource_types
from fhir.versions import NO_VERSION, render
from tests.diagnostics.factories import make_order
from tests.fhir.valid import assert_valid
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def _same_bytes(name: str) -> int:
    declared = resource_types()[name]
    rows = declared.queryset().order_by("pk")
    light = list(light_rows(rows, declared.light, chunk_size=3))
    models = list(rows)
    assert [row.pk for row in light] == [row.pk for row in models]
    for model_row, light_row in zip(models, light, strict=True):
        expected = json.dumps(declared.to_fhir(model_row), ensure_ascii=False)
        assert json.dumps(declared.to_fhir(light_row), ensure_ascii=False) == expected
        resource = render(declared, light_row, NO_VERSION)
        assert clean(resource) == resource
        assert_valid(resource)
        line = ndjson_line(resource)
        assert b"\n" not in line
        assert json.loads(line) == json.loads(json.dumps(resource))
    return len(models)


def test_patients_from_light_rows_are_byte_identical():
    survivor = PatientFactory()
    PatientFactory(
        given_name="Zoë",
        middle_name="Ann",
        family_name="O'Brien-Ñúñez",
        name_suffix="Jr.",
        preferred_name="Zo",
        sex_at_birth="F",
        phone_mobile="+14155550123",
        phone_home="+442079460000",
        email="zoe@example.org",
        address_line1="1 Main St",
        address_line2='Apt "2"',
        city="Springfield",
        state="IL",
        postal_code="62701",
        country="US",
        preferred_language="es",
        emergency_contact_name="Max",
        emergency_contact_relationship="Brother",
        emergency_contact_phone="+14155550199",
    )
    PatientFactory(status="deceased", deceased_date=date(2024, 2, 29), sex_at_birth="X")
    PatientFactory(emergency_contact_name="No phone", sex_at_birth="U")
    PatientFactory(
        emergency_contact_name="Ma",
        emergency_contact_relationship="Mother",
        middle_name="",
        country="CA",
        restriction="public_figure",
    )
    PatientFactory(address_line2="Unit 5", postal_code="", preferred_language="")
    PatientFactory(status="merged", merged_into=survivor)
    # The merged and the restricted patients are not served.
    assert _same_bytes("Patient") == 5


def test_observations_from_light_rows_are_byte_identical(make_user):
    nurse = make_user("Nurse", first_name="Ida", last_name="Nü")
    doctor = make_user("Clinician")
    ProviderFactory(user=doctor)
    tests = {t.code: t for t in TestDefinition.objects.all()}
    order = make_order(panels=(), tests=("STREP", "UCX", "K", "TSH"))
    services.results_enter(
        order=order,
        values={tests[c]: v for c, v in (("STREP", "+"), ("UCX", "Nil"), ("K", "2"))},
        status="P",
        actor=nurse,
    )
    services.results_enter(
        order=order, values={tests["TSH"]: "6.0"}, status="F", actor=doctor
    )
    odd = Observation.objects.filter(order=order).first()
    odd.value_numeric, odd.comment, odd.entered_by = Decimal("0.000"), "½ \n", None
    odd.value_code, odd.value_code_system = "260385009", "SCT"
    odd.save()
    tiny = Observation.objects.filter(order=order).exclude(pk=odd.pk).first()
    tiny.value_numeric, tiny.unit, tiny.reference_range = Decimal("0.0001"), "", ">=5"
    tiny.save()
    others = TestDefinition.objects.exclude(code__in=("STREP", "UCX", "K", "TSH"))
    wordings = ("<=0.00001", "Negative", "", "1-2.5")
    for number, (wording, test) in enumerate(zip(wordings, others, strict=False)):
        extra = Observation.objects.get(pk=tiny.pk)
        extra.pk, extra.test, extra.reference_range = None, test, wording
        extra.value_numeric = None if number % 2 else Decimal(number)
        extra.value_text = "" if number == 3 else extra.value_text
        extra.save()
    assert _same_bytes("Observation") == 8
