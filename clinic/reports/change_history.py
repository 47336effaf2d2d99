"""Every change to every record, from the simple-history tables of all apps."""

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import CharField, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from clinic.record_filters import filter_record
from clinic.reports.base import Column, Filters, Report
from clinic.selectors import KIND_LABELS, history_changes, tracked_field_labels

User = get_user_model()


def tracked_models() -> list:
    """Models with history: the project's apps and staff accounts."""
    labels = set(settings.PROJECT_APPS)
    models = [
        model
        for model in apps.get_models()
        if hasattr(model, "history")
        and not hasattr(model, "instance_type")
        and (model._meta.app_label in labels or model is User)
    ]
    return sorted(models, key=lambda m: m._meta.label)


class ChangeHistoryReport(Report):
    slug = "change-history"
    title = _("Change history")
    description = _(
        "Who changed which field of which record from what to what, when, and why, "
        "across every kind of record."
    )
    columns = [
        Column(_("When"), lambda r: r["history_date"]),
        Column(_("User"), lambda r: r["username"]),
        Column(_("Record"), lambda r: f"{r['model']} #{r['object_id']}"),
        Column(_("Change"), lambda r: KIND_LABELS.get(r["history_type"], "")),
        Column(
            _("Fields"),
            lambda r: "; ".join(
                f"{c.field}: {c.old} → {c.new}" if c.old else f"{c.field}: {c.new}"
                for c in r["changes"]
            ),
        ),
        Column(_("Reason"), lambda r: r["history_change_reason"]),
    ]

    def kind_choices(self):
        return [
            (m._meta.label_lower, str(m._meta.verbose_name).capitalize())
            for m in tracked_models()
        ]

    def _history_query(self, model, filters: Filters):
        history = filter_record(
            model.history.model.objects.all(),
            at="history_date",
            start=filters.date_from,
            end=filters.date_to,
            username=filters.username,
            user_fields=("history_user__username",),
        )
        # Which rows are about the patient depends on the model.
        if filters.patient is not None:
            if model._meta.label == "registration.Patient":
                history = history.filter(id=filters.patient.pk)
            elif any(f.name == "patient" for f in model._meta.fields):
                history = history.filter(patient_id=filters.patient.pk)
            else:
                return None
        # No ORDER BY inside the parts of a UNION (SQLite refuses it).
        return (
            history.order_by()
            .values(
                "history_id", "history_date", "history_type", "history_change_reason"
            )
            .annotate(
                model=Value(model._meta.label_lower, output_field=CharField()),
                object_id=Cast("id", CharField()),
                username=Cast("history_user__username", CharField()),
            )
        )

    def rows(self, filters: Filters):
        models = tracked_models()
        if filters.kind:
            models = [m for m in models if m._meta.label_lower == filters.kind]
        queries = [
            q
            for q in (self._history_query(m, filters) for m in models)
            if q is not None
        ]
        if not queries:
            return User.objects.none().values("id")
        first, *rest = queries
        union = first.union(*rest, all=True) if rest else first
        return union.order_by("-history_date", "-history_id")

    def iter_rows(self, filters: Filters):
        for row in self.rows(filters).iterator(chunk_size=2000):
            yield self.with_changes(row)

    def with_changes(self, row: dict) -> dict:
        """The row with its field changes (two queries: it and its predecessor)."""
        model = apps.get_model(row["model"])
        record = model.history.model.objects.get(history_id=row["history_id"])
        before = record.prev_record if record.history_type != "+" else None
        row = dict(row)
        row["changes"] = history_changes(record, before, tracked_field_labels(model))
        row["username"] = row["username"] or "system"
        return row
