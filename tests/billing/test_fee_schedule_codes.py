"""CPT/HCPCS codes come from the clinic's fee schedule: the inputs offer it, and a
code not on it is refused at entry with how to add it (it used to go in at 0.00
until the scrubber)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing.models import FeeScheduleEntry
from billing.selectors import fee_schedule_codes, fee_schedule_refusal
from billing.services import charge_add, charge_update
from tests.billing.factories import completed_visit, fee_schedule

pytestmark = pytest.mark.django_db

HOW_TO_ADD = (
    "99999 is not on the clinic's fee schedule. An administrator adds it (code, "
    "description and price) under Admin › Billing › Fee schedule entries "
    "(/admin/billing/feescheduleentry/); then enter it here again."
)


def test_a_charge_with_a_code_not_on_the_fee_schedule_is_refused():
    fee_schedule()
    visit = completed_visit(diagnoses=())
    with pytest.raises(ValidationError) as raised:
        charge_add(appointment=visit, code="99999", actor=None)
    assert raised.value.message_dict == {"code": [HOW_TO_ADD]}
    charge = visit.charges.get()
    with pytest.raises(ValidationError) as raised:
        charge_update(charge=charge, actor=None, code="99999")
    assert raised.value.message_dict == {"code": [HOW_TO_ADD]}
    charge.refresh_from_db()
    assert charge.code == "99213"
    # A code the charge already has may stay while other fields change.
    charge_update(charge=charge, actor=None, code="99213", units=Decimal("2"))


def test_an_inactive_entry_is_not_on_the_fee_schedule():
    fee_schedule()
    assert fee_schedule_refusal(code="36415") == ""
    entry = FeeScheduleEntry.objects.get(code="36415")
    entry.is_active = False
    entry.save()
    assert "36415 is not on the clinic's fee schedule" in fee_schedule_refusal(
        code="36415"
    )
    assert "36415" not in dict(fee_schedule_codes())


def test_the_visit_page_refuses_the_code_and_keeps_it(client, make_user):
    fee_schedule()
    visit = completed_visit(diagnoses=())
    client.force_login(make_user("Billing"))
    response = client.post(
        reverse("billing:charge-add", args=[visit.pk]),
        {"code": "99999", "units": "1", "diagnosis_pointers": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert HOW_TO_ADD.replace("'", "&#x27;") in html
    assert 'value="99999"' in html
    assert visit.charges.count() == 1


def test_the_charge_code_input_offers_the_fee_schedule(client, make_user):
    fee_schedule()
    visit = completed_visit(diagnoses=())
    client.force_login(make_user("Billing"))
    html = client.get(reverse("billing:visit-charges", args=[visit.pk])).content
    html = html.decode()
    assert 'list="charge_code-fee-schedule"' in html
    assert '<option value="36415">36415 Venipuncture</option>' in html
