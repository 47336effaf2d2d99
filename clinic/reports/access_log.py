from django.utils.translation import gettext_lazy as _

from clinic.models import AccessLog
from clinic.reports.base import Column, Filters, Report


class AccessLogReport(Report):
    slug = "access-log"
    title = _("PHI access log")
    description = _("Who viewed or exported which patient's data, when, from where.")
    columns = [
        Column(_("When"), lambda r: r["created_at"]),
        Column(_("User"), lambda r: r["username"]),
        Column(_("Action"), lambda r: r["action"]),
        Column(_("MRN"), lambda r: r["patient__mrn"]),
        Column(
            _("Patient"),
            lambda r: (
                f"{r['patient__family_name']}, {r['patient__given_name']}"
                if r["patient__mrn"]
                else ""
            ),
        ),
        Column(_("What"), lambda r: r["what"] or r["object_type"]),
        Column(_("Record"), lambda r: r["object_id"]),
        Column(_("From"), lambda r: r["ip_address"]),
        Column(_("Row"), lambda r: r["id"]),
    ]

    def kind_choices(self):
        return list(AccessLog.Action.choices)

    def rows(self, filters: Filters):
        rows = AccessLog.objects.all()
        if filters.date_from:
            rows = rows.filter(created_at__gte=filters.date_from)
        if filters.date_to:
            rows = rows.filter(created_at__lt=filters.date_to)
        if filters.username:
            rows = rows.filter(username=filters.username)
        if filters.patient is not None:
            rows = rows.filter(patient=filters.patient)
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
