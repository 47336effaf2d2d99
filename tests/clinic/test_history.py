"""History on every record: present, shown, append-only and never bypassed."""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from clinic.db_guards import append_only_tables
from clinic.models import AccessLog, StaffProfile
from clinic.services import staff_deactivate
from tests.clinic.factories import PASSWORD
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import LocationFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# Rows that never change need no history of changes: the access log is append-only
# and chained (see clinic.models.AccessLog).
WITHOUT_HISTORY = {AccessLog}


def _project_models():
    for label in settings.PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            if hasattr(model, "instance_type"):
                continue  # a historical model itself
            yield model


def test_every_model_of_the_project_keeps_history():
    models = list(_project_models())
    assert len(models) >= 4
    missing = [
        m._meta.label
        for m in models
        if m not in WITHOUT_HISTORY and not hasattr(m, "history")
    ]
    assert missing == [], f"models without HistoricalRecords: {missing}"


def test_the_acting_user_and_reason_are_recorded(admin_user, make_user):
    nurse = make_user("Nurse")
    staff_deactivate(user=nurse, reason="left the clinic", actor=admin_user)
    latest = nurse.history.latest()
    assert latest.is_active is False
    assert latest.history_change_reason == "deactivated: left the clinic"


def test_history_page_shows_who_changed_which_field_from_what_to_what(
    admin_client, admin_user, make_user
):
    nurse = make_user("Nurse")
    infusion = LocationFactory(name="Infusion Unit")
    admin_client.post(
        reverse("clinic:staff-edit", args=[nurse.pk]),
        {
            "first_name": nurse.first_name,
            "last_name": nurse.last_name,
            "email": nurse.email,
            "role": "Clinician",
            "default_location": infusion.pk,
        },
    )
    profile = StaffProfile.objects.get(user=nurse)
    response = admin_client.get(
        reverse("clinic:history", args=["clinic", "staffprofile", profile.pk])
    )
    assert response.status_code == 200
    change = response.context["entries"][0]
    assert change.user == admin_user.username
    assert change.kind == "Changed"
    assert change.reason == "role set to Clinician by ada"
    fields = {c.field: (c.old, c.new) for c in change.changes}
    assert fields["role"] == ("Nurse", "Clinician")
    assert fields["default location"] == ("—", "Infusion Unit")
    assert "Infusion Unit" in response.content.decode()


def test_history_page_of_a_patient_record_is_logged_as_a_look_at_that_patient(
    admin_client, admin_user
):
    patient = PatientFactory()
    before = AccessLog.objects.count()
    response = admin_client.get(
        reverse("clinic:history", args=["registration", "patient", patient.pk])
    )
    assert response.status_code == 200
    assert AccessLog.objects.count() == before + 1
    entry = AccessLog.objects.order_by("-id").first()
    assert (entry.user, entry.patient, entry.what) == (admin_user, patient, "history")


def test_history_page_of_an_unknown_kind_or_record_is_404(admin_client):
    assert admin_client.get("/history/nosuch/thing/1/").status_code == 404
    assert admin_client.get("/history/clinic/accesslog/1/").status_code == 404
    assert (
        admin_client.get(
            reverse("clinic:history", args=["scheduling", "location", 999999])
        )
    ).status_code == 404


def test_history_page_pages_long_histories(admin_client, admin_user):
    location = LocationFactory()
    for number in range(30):
        location.name = f"Renamed {number}"
        location.save()
    url = reverse("clinic:history", args=["scheduling", "location", location.pk])
    first = admin_client.get(url)
    second = admin_client.get(url + "?page=2")
    assert len(first.context["entries"]) == 25
    assert len(second.context["entries"]) == 6  # 30 changes + the creation
    assert first.context["entries"][0].changes[0].new == "Renamed 29"
    assert second.context["entries"][-1].kind == "Created"
    # The oldest change on page 1 still knows its "before" from page 2.
    assert first.context["entries"][-1].changes[0].old != ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_every_historical_table_refuses_update_and_delete():
    tables = set(append_only_tables())
    historical = {
        m._meta.db_table for m in apps.get_models() if hasattr(m, "instance_type")
    }
    assert historical <= tables
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'clinicops_append_only'"
        )
        guarded = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'clinicops_no_truncate'"
        )
        no_truncate = {row[0] for row in cursor.fetchall()}
    assert tables <= guarded
    assert tables <= no_truncate

    location = LocationFactory()
    table = location.history.model._meta.db_table
    for statement in (
        f"UPDATE {table} SET name = 'x'",
        f"DELETE FROM {table}",
        f"TRUNCATE {table}",
    ):
        with (
            pytest.raises(DatabaseError, match="permission denied for table"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert location.history.count() == 1


class _BypassFinder(ast.NodeVisitor):
    """Finds ``<queryset>.update(...)`` and ``.bulk_update(...)`` calls.

    A call counts as a queryset update when its receiver is built from ``objects``,
    ``filter``, ``exclude``, ``all``, ``select_for_update`` and the like.
    """

    QUERYSET_METHODS = {
        "objects",
        "filter",
        "exclude",
        "all",
        "select_for_update",
        "select_related",
        "prefetch_related",
        "order_by",
        "annotate",
        "only",
        "defer",
        "using",
        "history",
    }

    def __init__(self):
        self.found = []

    def _receiver_is_queryset(self, node) -> bool:
        while isinstance(node, ast.Call | ast.Attribute | ast.Subscript):
            if isinstance(node, ast.Attribute) and node.attr in self.QUERYSET_METHODS:
                return True
            node = node.func if isinstance(node, ast.Call) else node.value
        return False

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, ast.Attribute) and (
            func.attr == "bulk_update"
            or func.attr == "update"
            and self._receiver_is_queryset(func.value)
        ):
            self.found.append(node.lineno)
        self.generic_visit(node)


def _bypasses_in(source: str) -> list[int]:
    finder = _BypassFinder()
    finder.visit(ast.parse(source))
    return finder.found


def test_the_bypass_finder_sees_both_kinds_of_call():
    source = (
        "Location.objects.filter(code='x').update(name='y')\n"
        "Location.objects.bulk_update(rows, ['name'])\n"
        "options.update({'a': 1})\n"
    )
    assert _bypasses_in(source) == [1, 2]


def test_no_code_bypasses_history_with_queryset_update():
    offenders = []
    for label in settings.PROJECT_APPS:
        for path in (ROOT / label).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for line in _bypasses_in(path.read_text()):
                offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert offenders == [], (
        "QuerySet.update()/bulk_update() skip history; save each row instead: "
        f"{offenders}"
    )


def test_logging_in_updates_last_login_without_an_empty_history_row(client, make_user):
    nurse = make_user("Nurse", username="nora")
    before = nurse.history.count()
    response = client.post("/login/", {"username": "nora", "password": PASSWORD})
    assert response.status_code == 302
    nurse.refresh_from_db()
    assert nurse.last_login is not None
    assert nurse.history.count() == before


def test_rows_save_writes_the_named_columns_and_one_history_row_each(
    admin_user, django_assert_max_num_queries
):
    from clinic.history import rows_save
    from scheduling.models import Location

    rows = [LocationFactory(code=f"r{i}", name=f"Old {i}") for i in range(3)]
    rows[0].name, rows[0]._change_reason = "North", "renamed north"
    rows[1].name, rows[1].is_active = "South", False
    rows[1]._change_reason = "closed"
    with django_assert_max_num_queries(2):
        saved = rows_save(
            [rows[0], rows[1], rows[0]], ["name", "is_active"], default_user=admin_user
        )
    assert saved == [rows[0], rows[1]]
    stored = {loc.pk: loc for loc in Location.objects.filter(code__startswith="r")}
    assert (stored[rows[0].pk].name, stored[rows[0].pk].is_active) == ("North", True)
    assert (stored[rows[1].pk].name, stored[rows[1].pk].is_active) == ("South", False)
    assert stored[rows[2].pk].name == "Old 2"
    latest = {
        pk: Location.history.filter(id=pk).order_by("-history_id").first()
        for pk in stored
    }
    assert latest[rows[0].pk].history_change_reason == "renamed north"
    assert latest[rows[1].pk].history_change_reason == "closed"
    assert latest[rows[1].pk].history_user == admin_user
    assert latest[rows[1].pk].history_type == "~"
    assert latest[rows[2].pk].history_type == "+"
    assert rows_save([], ["name"]) == []


def test_server_side_binding_holds_only_inside_its_block():
    import psycopg

    from clinic.history import server_side_binding
    from scheduling.models import Location

    def binds_on_server() -> bool:
        with connection.cursor() as cursor:
            return not isinstance(cursor.cursor, psycopg.ClientCursor)

    assert not binds_on_server()
    with pytest.raises(RuntimeError), server_side_binding():
        assert binds_on_server()
        Location.objects.bulk_create(
            [Location(code=f"ssb{i}", name=f"Site {i}") for i in range(3)]
        )
        raise RuntimeError("leave the block early")
    assert not binds_on_server()
    assert Location.objects.filter(code__startswith="ssb").count() == 3


def _history_of(model, pks) -> list[dict]:
    skip = {"history_id", "id", "history_date"}
    rows = model.history.filter(id__in=pks).order_by("id", "history_id").values()
    return [{k: v for k, v in row.items() if k not in skip} for row in rows]


def test_rows_create_writes_what_bulk_create_with_history_writes(admin_user):
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    from automations.models import Event
    from clinic.history import rows_create

    patient, at = PatientFactory(), timezone.now()

    def events(tag):
        made = [
            Event(
                kind=f"{tag}.a", patient=patient, facts={"t": "a\tb\\c"}, occurred_at=at
            ),
            Event(kind=f"{tag}.b", facts={}, occurred_at=at, depth=2),
        ]
        made[0]._change_reason, made[1]._history_user = "imported", admin_user
        return made

    slow = bulk_create_with_history(events("x"), Event)
    fast = rows_create(events("x"), Event)
    assert all(e.pk and not e._state.adding for e in fast)
    assert fast[0].pk > slow[-1].pk
    stored = Event.objects.filter(pk__in=[e.pk for e in slow + fast])
    columns = [
        [v for k, v in row.items() if k not in ("id", "occurred_at")]
        for row in stored.order_by("pk").values()
    ]
    assert columns[:2] == columns[2:]
    slow_history = _history_of(Event, [e.pk for e in slow])
    fast_history = _history_of(Event, [e.pk for e in fast])
    assert fast_history == slow_history
    assert [h["history_change_reason"] for h in fast_history] == ["imported", None]
    assert fast_history[1]["history_user_id"] == admin_user.pk
    latest = Event.history.filter(id=fast[0].pk).get()
    assert latest.history_type == "+"
    assert abs((latest.history_date - timezone.now()).total_seconds()) < 60
    assert rows_create([], Event) == []
