from django.conf import settings
from django.db import connection
from django.db.models import CharField, F, Func, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.utils.translation import gettext_lazy as _

from clinic.models import AccessLog
from clinic.record_filters import filter_record
from clinic.reports.base import Column, Filters, Report, patient_columns


class AccessLogReport(Report):
    slug = "access-log"
    title = _("PHI access log")
    description = _("Who viewed or exported which patient's data, when, from where.")
    columns = [
        Column(_("When"), lambda r: r["created_at"]),
        Column(_("User"), lambda r: r["username"]),
        Column(_("Action"), lambda r: r["action"]),
        *patient_columns(),
        Column(_("What"), lambda r: r["what"] or r["object_type"]),
        Column(_("Record"), lambda r: r["object_id"]),
        Column(_("From"), lambda r: r["ip_address"]),
        Column(_("Row"), lambda r: r["id"]),
    ]

    def kind_choices(self):
        return list(AccessLog.Action.choices)

    def rows(self, filters: Filters):
        rows = filter_record(
            AccessLog.objects.all(),
            at="created_at",
            user_fields=("username",),
            **filters.scope(),
        )
        if filters.kind:
            rows = rows.filter(action=filters.kind)
        return rows.order_by("id").values(
            "id",
            "created_at",
            "username",
            "action",
            "patient__mrn",
            "patient__family_name",
            "patient__given_name",
            "what",
            "object_type",
            "object_id",
            "ip_address",
        )

    def text_rows(self, filters: Filters):
        """On PostgreSQL: the rows with every cell already formatted as text by the
        database (the same text ``cells`` gives), so an export costs Python almost
        nothing. Empty cells are NULL: PostgreSQL's CSV writes them unquoted, as
        Python's csv module does."""
        if connection.vendor != "postgresql":
            return None
        text = CharField()

        def cell(expression):
            return NullIf(expression, Value(""), output_field=text)

        # The local wall-clock time to the second; a timestamp's text is
        # "YYYY-MM-DD HH:MI:SS" in the ISO DateStyle that psycopg requires, and
        # costs PostgreSQL half what to_char() does.
        when = Cast(
            Func(
                Value("second"),
                Func(
                    Value(settings.CLINIC_TIME_ZONE),
                    F("created_at"),
                    function="timezone",
                ),
                function="date_trunc",
            ),
            text,
        )
        name = Concat(
            "patient__family_name",
            Value(", "),
            "patient__given_name",
            output_field=text,
        )
        return self.rows(filters).values_list(
            when,
            cell(F("username")),
            cell(F("action")),
            cell(F("patient__mrn")),
            # No patient: the concatenation is just the separator.
            NullIf(name, Value(", "), output_field=text),
            cell(Coalesce(NullIf(F("what"), Value("")), F("object_type"))),
            cell(F("object_id")),
            Func(F("ip_address"), function="host", output_field=text),
            Cast("id", text),
        )
