"""HTML of an appointment chip and of the day grid's body.

Built in Python, not with template tags: a day of 800 visits is 800 chips and ~1,800
cells, and the template engine's per-node cost made that page slow. Every value
from the database goes through ``escape``; labels are translated once per page.
"""

from html import escape as _html_escape

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from scheduling.models import Appointment


def escape(value) -> str:
    """HTML-escape (quotes included), without Django's lazy-string wrapper."""
    return _html_escape(str(value), quote=True)


MARKS = {"verified": "✔", "failed": "✖", "stale": "⟳"}


class ChipContext:
    """What every chip of a page shares: URL patterns, translated labels."""

    def __init__(self, *, can_change: bool, next_url: str):
        self.can_change = can_change
        self.next_query = urlencode({"next": next_url})

        def pattern(name):
            return reverse(name, args=[0]).replace("/0/", "/{}/")

        self.detail = pattern("scheduling:appointment-detail")
        self.action = pattern("scheduling:appointment-action")
        self.move = pattern("scheduling:appointment-move")
        self.status = {k: escape(v) for k, v in Appointment.Status.choices}
        self.labels = {
            "double": escape(_("double-booked")),
            "no_shows_title": escape(_("Earlier no-shows")),
            "insurance": escape(_("Insurance")),
            "check_in": escape(_("Check in")),
            "move": escape(_("Move")),
            "in_room": escape(_("In room")),
            "done": escape(_("Done")),
            "verified": escape(_("verified")),
            "failed": escape(_("failed")),
            "stale": escape(_("stale")),
        }


def _post_button(ctx, css, pk, action, label, aria=""):
    aria_attr = f' aria-label="{aria}"' if aria else ""
    return (
        f'<button type="button" class="btn {css}" hx-post="{ctx.action.format(pk)}" '
        f'hx-vals=\'{{"action": "{action}"}}\' hx-target="#appt-{pk}" '
        f'hx-swap="outerHTML"{aria_attr}>{label}</button>'
    )


def chip_html(a, *, ctx: ChipContext, error: str = "") -> SafeString:
    labels = ctx.labels
    pk = a.pk
    family = escape(a.patient.family_name)
    given = escape(a.patient.given_name)
    visit_type = a.appointment_type
    classes = f"appt appt-{escape(visit_type.colour)} status-{a.status}"
    badges = ""
    if a.is_double_booked:
        classes += " double-booked"
        badges += (
            f' <span class="badge text-bg-danger" title="{escape(a.override_reason)}">'
            f"{labels['double']}</span>"
        )
    no_shows = getattr(a, "no_show_count", 0)
    if no_shows:
        text = ngettext("%(n)d no-show", "%(n)d no-shows", no_shows) % {"n": no_shows}
        badges += (
            f' <span class="badge text-bg-warning" title="{labels["no_shows_title"]}">'
            f"{escape(text)}</span>"
        )
    state = getattr(a, "eligibility_state", "")
    if state in MARKS:
        badges += (
            f' <span class="elig-{state}" title="{labels["insurance"]}">'
            f"{MARKS[state]} {labels[state]}</span>"
        )
    actions = ""
    if ctx.can_change:
        if a.status in ("scheduled", "confirmed"):
            actions = _post_button(
                ctx,
                "btn-success",
                pk,
                "arrived",
                labels["check_in"],
                f"{labels['check_in']} {family}",
            ) + (
                '<button type="button" class="btn btn-outline-secondary" '
                f'hx-get="{ctx.move.format(pk)}?{escape(ctx.next_query)}" '
                'hx-target="#action-panel" hx-swap="innerHTML">'
                f"{labels['move']}</button>"
            )
        elif a.status == "arrived":
            actions = _post_button(ctx, "btn-primary", pk, "in_room", labels["in_room"])
        elif a.status == "in_room":
            actions = _post_button(
                ctx, "btn-secondary", pk, "completed", labels["done"]
            )
        if actions:
            actions = f'<div class="actions">{actions}</div>'
    room = f" · {escape(a.room.name)}" if a.room_id else ""
    error_html = (
        f'<div class="text-danger small" role="alert">{escape(error)}</div>'
        if error
        else ""
    )
    start = timezone.localtime(a.start)
    return mark_safe(
        f'<div class="{classes}" id="appt-{pk}" data-status="{a.status}">'
        f'<a href="{ctx.detail.format(pk)}"><strong>{start.hour:02d}:'
        f"{start.minute:02d}</strong> {family}, {given}</a>"
        f'<div class="small">{escape(visit_type.name)}{room} · '
        f'<span class="badge text-bg-light">{ctx.status[a.status]}</span>{badges}'
        f"</div>{error_html}{actions}</div>"
    )


def grid_body_html(rows, *, ctx: ChipContext) -> SafeString:
    """The <tbody> rows of the day or week grid."""
    parts = []
    for index, row in enumerate(rows):
        parts.append('<tr class="hour">' if index % 4 == 0 else "<tr>")
        label = escape(row.label) if index % 2 == 0 else ""
        parts.append(f'<th class="time" scope="row">{label}</th>')
        for cell in row.cells:
            if cell is None:
                parts.append('<td class="empty"></td>')
                continue
            parts.append(f'<td rowspan="{int(cell.rowspan)}">')
            parts.extend(chip_html(a, ctx=ctx) for a in cell.appointments)
            parts.append("</td>")
        parts.append("</tr>\n")
    return mark_safe("".join(parts))
