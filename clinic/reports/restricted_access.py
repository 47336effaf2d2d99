"""Every break-glass access to a restricted patient, with the pages opened under it
and its sign-off: read through the registration selectors."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clinic.reports.base import (
    EXPORT_FETCH_ROWS,
    Column,
    Filters,
    Report,
    patient_columns,
)
from registration.restriction import grants_for_review, with_pages


class RestrictedAccessReport(Report):
    slug = "restricted-access"
    title = _("Restricted access (break-glass)")
    description = _(
        "Every opening of a restricted patient's record: who, which patient, the "
        "reason, when, the pages opened during the hour it gave, and the "
        "administrator's sign-off."
    )
    columns = [
        Column(_("Granted"), lambda r: r["granted_at"]),
        Column(_("Until"), lambda r: r["expires_at"]),
        Column(_("User"), lambda r: r["user__username"]),
        *patient_columns(),
        Column(_("Reason"), lambda r: r["reason_label"]),
        Column(_("Explanation"), lambda r: r["reason_text"]),
        Column(_("Pages opened"), lambda r: len(r["pages"])),
        Column(_("What was opened"), lambda r: r["pages_text"]),
        Column(_("Signed off by"), lambda r: r["reviewed_by__username"]),
        Column(_("Signed off"), lambda r: r["reviewed_at"]),
        Column(_("Sign-off note"), lambda r: r["review_note"]),
        Column(_("Access #"), lambda r: r["id"]),
    ]

    @property
    def action_url(self) -> str:
        return reverse("registration:restricted-access-review")

    action_label = _("Sign off access")

    def kind_choices(self):
        return [("unreviewed", _("Not signed off")), ("reviewed", _("Signed off"))]

    def rows(self, filters: Filters):
        return grants_for_review(status=filters.kind, **filters.scope())

    def decorate(self, rows: list) -> list:
        """A page of rows with the pages each grant opened (one query)."""
        return with_pages(list(rows))

    def iter_cells(self, filters: Filters):
        chunk: list = []
        for row in self.rows(filters).iterator(chunk_size=EXPORT_FETCH_ROWS):
            chunk.append(row)
            if len(chunk) == EXPORT_FETCH_ROWS:
                yield from (self.cells(r) for r in self.decorate(chunk))
                chunk = []
        yield from (self.cells(r) for r in self.decorate(chunk))
