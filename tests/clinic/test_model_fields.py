"""The model fields, field groups and constraints the apps share spell exactly the
plain Django options they replace (so migrations never see them), and the
"end after start" rule holds in the database."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from clinic.constraints import in_order
from clinic.fields import optional_fk, protected_fk, staff_fk, visit_fk, when_and_who
from clinic.models import Recorded
from medications.models import HomeMedication
from registration.models import BreakGlassGrant
from tests.registration.factories import PatientFactory


def _options(field: models.Field) -> dict:
    return field.deconstruct()[3]


def test_a_required_staff_link_is_the_plain_protected_foreign_key():
    plain = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assert _options(staff_fk(required=True)) == _options(plain)
    assert not staff_fk(required=True).null
    assert staff_fk().null and staff_fk().blank


def test_protected_and_optional_links_differ_only_in_being_empty():
    required = _options(protected_fk("scheduling.Room", "room"))
    optional = _options(optional_fk("scheduling.Room", "room"))
    assert optional == required | {"null": True, "blank": True}
    assert required["on_delete"] is models.PROTECT and required["related_name"] == "+"


def test_a_visit_link_names_the_visit_and_keeps_its_overrides():
    options = _options(visit_fk("charges", on_delete=models.CASCADE))
    assert options["to"] == "scheduling.appointment"
    assert options["verbose_name"] == "visit"
    assert options["related_name"] == "charges"
    assert options["on_delete"] is models.CASCADE


def test_when_and_who_is_an_empty_moment_and_an_optional_staff_member():
    when, who = when_and_who("cancelled", "cancelled by")
    assert isinstance(when, models.DateTimeField) and when.null and when.blank
    assert when.verbose_name == "cancelled"
    assert who.null and who.verbose_name == "cancelled by"


def test_recorded_rows_keep_who_and_when_in_their_history():
    assert Recorded._meta.abstract
    history_fields = {f.name for f in HomeMedication.history.model._meta.fields}
    assert {"recorded_by", "recorded_at"} <= history_fields


def test_in_order_states_the_end_after_the_start():
    assert in_order("start", "end", name="x").condition == Q(end__gt=F("start"))
    open_ended = in_order(
        "effective_date",
        "end_date",
        or_equal=True,
        unless_empty=("end_date", "effective_date"),
        name="x",
    ).condition
    assert open_ended == (
        Q(end_date__isnull=True)
        | Q(effective_date__isnull=True)
        | Q(end_date__gte=F("effective_date"))
    )


@pytest.mark.django_db
def test_the_database_refuses_a_grant_that_expires_before_it_is_given(make_user):
    now = timezone.now()
    grant = BreakGlassGrant(
        user=make_user("Nurse"),
        patient=PatientFactory(),
        reason=BreakGlassGrant.Reason.EMERGENCY,
        reason_text="Collapsed in the waiting room",
        granted_at=now,
        expires_at=now - timedelta(minutes=1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        grant.save()
