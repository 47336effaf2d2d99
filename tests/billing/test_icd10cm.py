"""Diagnoses come from the ICD-10-CM code table, found by code or words, and
show their words wherever they are listed."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing.icd10cm import (
    SEARCH_LIMIT,
    TABLE_FILE,
    icd10cm_lookup,
    icd10cm_normalise,
    icd10cm_problem,
    icd10cm_search,
    validate_icd10cm_billable,
)
from billing.services import diagnosis_add
from tests.billing.factories import billed_claim, completed_visit


def test_the_table_is_the_fy2026_release_with_its_words():
    assert TABLE_FILE.name == "icd10cm-2026-april.tsv.gz"
    entry = icd10cm_lookup("e119")
    assert (entry.code, entry.billable, entry.description) == (
        "E11.9",
        True,
        "Type 2 diabetes mellitus without complications",
    )
    assert icd10cm_lookup("E11").billable is False
    # A seventh-character code is billable; its category is not.
    assert icd10cm_lookup("S72.001A").billable
    assert not icd10cm_lookup("S72.001").billable
    assert icd10cm_normalise(" i 10 ") == "I10"


def test_search_by_code_prefix_lists_billable_codes_in_order():
    assert [e.code for e in icd10cm_search("E11.6", limit=4)] == [
        "E11.610",
        "E11.618",
        "E11.620",
        "E11.621",
    ]
    assert [str(e) for e in icd10cm_search("i10")] == [
        "I10 — Essential (primary) hypertension"
    ]


def test_search_by_words_matches_word_starts_least_specific_first():
    found = icd10cm_search("type 2 diab without")
    assert found[0].code == "E11.9"
    assert all("type 2" in e.description.lower() for e in found)
    assert icd10cm_search("type 2 diabetes")[0].code == "E11.9"
    assert icd10cm_search("hypertension")[0].code == "I10"
    assert len(icd10cm_search("diabetes")) == SEARCH_LIMIT
    assert icd10cm_search("x") == [] and icd10cm_search("zzzz qqqq") == []
    # Read as a code, nothing matches: the words are searched instead.
    assert icd10cm_search("b12 deficiency")[0].code.startswith("D51")


def test_unknown_and_heading_codes_are_refused_with_a_clear_message():
    assert icd10cm_problem("E11.9") == ""
    assert icd10cm_problem("e11.99") == (
        "“E11.99” is not in the ICD-10-CM FY2026 (April 1, 2026) code table: search "
        "the code or its words and pick one from the list."
    )
    assert icd10cm_problem("I25.1") == (
        "I25.1 (Atherosclerotic heart disease of native coronary artery) is a "
        "heading, not a billable code: pick one of its more specific codes, such as "
        "I25.10."
    )
    with pytest.raises(ValidationError):
        validate_icd10cm_billable("E11")


@pytest.mark.django_db
def test_a_visit_diagnosis_is_stored_with_the_tables_words():
    visit = completed_visit(diagnoses=())
    diagnosis = diagnosis_add(appointment=visit, code="e119", actor=None)
    assert (diagnosis.code, diagnosis.description) == (
        "E11.9",
        "Type 2 diabetes mellitus without complications",
    )
    with pytest.raises(ValidationError) as raised:
        diagnosis_add(appointment=visit, code="E11", actor=None)
    assert list(raised.value.message_dict) == ["code"]
    assert visit.diagnoses.count() == 1


@pytest.mark.django_db
def test_the_visit_page_searches_and_adds_a_picked_code(client, make_user):
    visit = completed_visit(diagnoses=())
    client.force_login(make_user("Billing"))
    results = client.get(reverse("billing:icd10cm-search"), {"code": "diabetes"})
    assert results.status_code == 200
    html = results.content.decode()
    assert 'name="pick" value="E11.9"' in html
    assert "Type 2 diabetes mellitus without complications" in html
    assert "FY2026" in html
    none = client.get(reverse("billing:icd10cm-search"), {"code": "qqqq"})
    assert "No billable ICD-10-CM code matches “qqqq”." in none.content.decode()
    response = client.post(
        reverse("billing:diagnosis-add", args=[visit.pk]),
        {"code": "diabetes", "pick": "E11.9"},
    )
    assert response.status_code == 302
    page = client.get(reverse("billing:visit-charges", args=[visit.pk]))
    assert "E11.9</strong> Type 2 diabetes mellitus without complications" in (
        page.content.decode()
    )


@pytest.mark.django_db
def test_the_search_is_for_those_who_edit_diagnoses(client, make_user):
    client.force_login(make_user("Front desk"))
    response = client.get(reverse("billing:icd10cm-search"), {"code": "I10"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_the_claim_page_shows_each_diagnosis_with_its_words(client, make_user):
    claim = billed_claim(diagnoses=("E11.9", "I10"))
    client.force_login(make_user("Billing"))
    page = client.get(reverse("billing:claim-detail", args=[claim.pk])).content
    html = page.decode()
    assert "1. E11.9</strong> Type 2 diabetes mellitus without complications" in html
    assert "2. I10</strong> Essential (primary) hypertension" in html
    assert "11 Office" in html
