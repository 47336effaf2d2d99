"""What every compliance report is: filters, columns, rows in a stable order."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.fields import ClinicDateField
from registration.models import Patient
from registration.selectors import patient_by_mrn
from scheduling.models import Location

User = get_user_model()

# Rows fetched from the database at a time by exports (a server-side cursor on
# PostgreSQL): the most rows an export holds in memory at once.
EXPORT_FETCH_ROWS = 2000


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[object], object]


def patient_columns(prefix: str = "patient__") -> list[Column]:
    """A row's patient as the reports show one: the MRN, then "Family, Given"
    (both blank on a row about no patient); ``prefix`` leads to the patient's
    values in the row."""
    mrn, family, given = (
        f"{prefix}{key}" for key in ("mrn", "family_name", "given_name")
    )
    return [
        Column(_("MRN"), lambda r: r[mrn]),
        Column(_("Patient"), lambda r: f"{r[family]}, {r[given]}" if r[mrn] else ""),
    ]


class ReportFilterForm(forms.Form):
    """Date range, user and patient: the filters every report understands."""

    date_from = ClinicDateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = ClinicDateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    user = forms.CharField(label=_("User name"), required=False, max_length=150)
    patient = forms.CharField(
        label=_("Patient MRN"), required=False, max_length=32, strip=True
    )

    kind_choices: list[tuple[str, str]] = []

    def __init__(self, *args, kind_choices=None, locations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if locations is not None:
            self.fields["location"] = forms.ModelChoiceField(
                label=_("Unit / location"),
                required=False,
                queryset=locations,
                empty_label=_("Any"),
            )
        if kind_choices:
            self.fields["kind"] = forms.ChoiceField(
                label=_("Kind"), required=False, choices=[("", _("Any")), *kind_choices]
            )

    def clean_user(self):
        username = self.cleaned_data["user"]
        if username and not User.objects.filter(username=username).exists():
            raise forms.ValidationError(_("No staff account has that user name."))
        return username

    def clean_patient(self):
        mrn = self.cleaned_data["patient"]
        if not mrn:
            return None
        patient = patient_by_mrn(mrn=mrn)
        if patient is None:
            raise forms.ValidationError(_("No patient has that MRN."))
        return patient

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


@dataclass
class Filters:
    date_from: datetime | None = None
    date_to: datetime | None = None  # exclusive
    username: str = ""
    patient: object = None
    kind: str = ""
    location: object = None

    @classmethod
    def from_form(cls, data: dict) -> "Filters":
        tz = timezone.get_current_timezone()
        start, end = data.get("date_from"), data.get("date_to")
        return cls(
            date_from=timezone.make_aware(datetime.combine(start, time.min), tz)
            if start
            else None,
            date_to=timezone.make_aware(
                datetime.combine(end, time.min) + timedelta(days=1), tz
            )
            if end
            else None,
            username=data.get("user") or "",
            patient=data.get("patient"),
            kind=data.get("kind") or "",
            location=data.get("location"),
        )

    def scope(self) -> dict:
        """The period, patient and user as a record selector's ``start``, ``end``,
        ``patient`` and ``username`` (see ``clinic.record_filters``)."""
        return {
            "start": self.date_from,
            "end": self.date_to,
            "patient": self.patient,
            "username": self.username,
        }

    def to_json(self) -> dict:
        """The filters as kept with an export (dates in ISO form, patient by id)."""
        return {
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "username": self.username,
            "patient_id": self.patient.pk if self.patient is not None else None,
            "kind": self.kind,
            "location_id": self.location.pk if self.location is not None else None,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Filters":
        def parse(value):
            return datetime.fromisoformat(value) if value else None

        patient_id = data.get("patient_id")
        location_id = data.get("location_id")
        return cls(
            date_from=parse(data.get("date_from")),
            date_to=parse(data.get("date_to")),
            username=data.get("username", ""),
            patient=Patient.objects.get(pk=patient_id) if patient_id else None,
            kind=data.get("kind", ""),
            location=Location.objects.get(pk=location_id) if location_id else None,
        )

    def describe(self) -> str:
        """In words, for the export's header and the access log."""
        parts = []
        if self.date_from:
            parts.append(f"from {timezone.localtime(self.date_from):%Y-%m-%d}")
        if self.date_to:
            last = timezone.localtime(self.date_to) - timedelta(days=1)
            parts.append(f"to {last:%Y-%m-%d}")
        if self.username:
            parts.append(f"user {self.username}")
        if self.patient is not None:
            parts.append(f"patient {self.patient.mrn}")
        if self.location is not None:
            parts.append(f"unit {self.location.name}")
        if self.kind:
            parts.append(f"kind {self.kind}")
        return ", ".join(parts) or "no filters (everything)"


class Report:
    slug = ""
    title = ""
    description = ""
    columns: list[Column] = []
    exportable = True

    def locations(self):
        """The locations to filter by (a queryset), or None: no location filter."""
        return None

    def kind_choices(self) -> list[tuple[str, str]]:
        return []

    def rows(self, filters: Filters) -> Iterable:
        """The report's rows, in their final order (a queryset where possible)."""
        raise NotImplementedError

    def count(self, filters: Filters) -> int:
        return self.rows(filters).count()

    def iter_rows(self, filters: Filters) -> Iterable:
        """Every row, fetched in chunks so memory stays flat."""
        return self.rows(filters).iterator(chunk_size=EXPORT_FETCH_ROWS)

    def cells(self, row) -> list[str]:
        return [_cell(column.value(row)) for column in self.columns]

    def text_rows(self, filters: Filters) -> QuerySet | None:
        """Optionally, a ``values_list`` queryset whose rows are exactly the text of
        ``cells`` (NULL for an empty cell), formatted by the database: exports then
        skip Python per row (PostgreSQL's COPY writes the CSV). None: no such path."""
        return None

    def iter_cells(self, filters: Filters) -> Iterable:
        """Every row as its cells, in order: what the exports write."""
        text_rows = self.text_rows(filters)
        if text_rows is not None:
            yield from text_rows.iterator(chunk_size=EXPORT_FETCH_ROWS)
            return
        for row in self.iter_rows(filters):
            yield self.cells(row)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    return str(value)
