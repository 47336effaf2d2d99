"""One way to filter an auditor's record by period, patient and user."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from clinic.record_filters import filter_record
from tests.clinic.factories import UserFactory

pytestmark = pytest.mark.django_db

NOON = timezone.make_aware(datetime(2026, 12, 5, 12, 0))


def _names(rows) -> set[str]:
    return {user.username for user in rows}


def test_the_period_keeps_its_start_and_excludes_its_end():
    UserFactory(username="at-start", date_joined=NOON)
    UserFactory(username="at-end", date_joined=NOON + timedelta(hours=1))
    rows = filter_record(
        get_user_model().objects.all(),
        at="date_joined",
        start=NOON,
        end=NOON + timedelta(hours=1),
    )
    assert _names(rows) == {"at-start"}


def test_a_user_name_matches_through_any_of_the_user_fields():
    UserFactory(username="ada", first_name="x")
    UserFactory(username="bob", first_name="ada")
    UserFactory(username="cy", first_name="z")
    rows = filter_record(
        get_user_model().objects.all(),
        at="date_joined",
        username="ada",
        user_fields=("username", "first_name"),
    )
    assert _names(rows) == {"ada", "bob"}


def test_rows_that_record_no_user_match_no_user_name():
    UserFactory(username="ada")
    everyone = get_user_model().objects.all()
    assert filter_record(everyone, at="date_joined", username="ada").count() == 0
    assert filter_record(everyone, at="date_joined").count() == 1
