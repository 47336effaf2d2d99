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
from scheduling.selectors.day_grid import CLOSED
from scheduling.visit_windows import is_in_window

S = Appointment.Status
# The status each chip button sets, by the visit's status.
CHIP_TARGETS = {
    S.SCHEDULED: S.ARRIVED,
    S.CONFIRMED: S.ARRIVED,
    S.ARRIVED: S.IN_ROOM,
    S.IN_ROOM: S.COMPLETED,
}


def escape(value) -> str:
    """HTML-escape (quotes included), without Django's lazy-string wrapper."""
    return _html_escape(str(value), quote=True)


MARKS = {"verified": "✔", "failed": "✖", "stale": "⟳"}


# Stand-ins in the pre-built action buttons, replaced per chip (no database text
# can hold a NUL character, so they never collide with a name).
_PK = "\x00pk\x00"
_FAMILY = "\x00family\x00"


class ChipContext:
    """What every chip of a page shares: URL patterns, translated labels, and the
    HTML that only depends on a visit's status, type or room, built once per page."""

    def __init__(self, *, can_change: bool, next_url: str, now=None):
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
            "restricted": escape(_("Restricted patient")),
        }
        labels = self.labels
        self.eligibility_badges = {
            state: (
                f' <span class="elig-{state}" title="{labels["insurance"]}">'
                f"{mark} {labels[state]}</span>"
            )
            for state, mark in MARKS.items()
        }
        self.actions = {}
        self.closed_actions = {}
        if can_change:
            check_in = _post_button(
                self,
                "btn-success",
                _PK,
                "arrived",
                labels["check_in"],
                f"{labels['check_in']} {_FAMILY}",
            )
            move = (
                '<button type="button" class="btn btn-outline-secondary" '
                f'hx-get="{self.move.format(_PK)}?{escape(self.next_query)}" '
                'hx-target="#action-panel" hx-swap="innerHTML">'
                f"{labels['move']}</button>"
            )
            in_room = _post_button(
                self, "btn-primary", _PK, "in_room", labels["in_room"]
            )
            done = _post_button(self, "btn-secondary", _PK, "completed", labels["done"])
            for status, html in (
                ("scheduled", check_in + move),
                ("confirmed", check_in + move),
                ("arrived", in_room),
                ("in_room", done),
            ):
                self.actions[status] = f'<div class="actions">{html}</div>'
            # Outside the visit's time (another day) only moving is offered here;
            # an override with a reason is made on the appointment's page.
            moving_only = f'<div class="actions">{move}</div>'
            self.closed_actions = {"scheduled": moving_only, "confirmed": moving_only}
        self.now = now or timezone.now()
        self._no_shows: dict[int, str] = {}
        self._types: dict[tuple, tuple[str, str]] = {}
        self._rooms: dict[str, str] = {}

    def no_shows_badge(self, count: int) -> str:
        html = self._no_shows.get(count)
        if html is None:
            text = ngettext("%(n)d no-show", "%(n)d no-shows", count) % {"n": count}
            html = self._no_shows[count] = (
                f' <span class="badge text-bg-warning" '
                f'title="{self.labels["no_shows_title"]}">{escape(text)}</span>'
            )
        return html

    def type_parts(self, visit_type) -> tuple[str, str]:
        """(escaped colour, escaped name) of an appointment type."""
        key = (visit_type.colour, visit_type.name)
        parts = self._types.get(key)
        if parts is None:
            parts = self._types[key] = (escape(key[0]), escape(key[1]))
        return parts

    def room_part(self, name: str) -> str:
        html = self._rooms.get(name)
        if html is None:
            html = self._rooms[name] = f" · {escape(name)}"
        return html


def _post_button(ctx, css, pk, action, label, aria=""):
    aria_attr = f' aria-label="{aria}"' if aria else ""
    return (
        f'<button type="button" class="btn {css}" hx-post="{ctx.action.format(pk)}" '
        f'hx-vals=\'{{"action": "{action}"}}\' hx-target="#appt-{pk}" '
        f'hx-swap="outerHTML"{aria_attr}>{label}</button>'
    )


def chip_html(a, *, ctx: ChipContext, error: str = "") -> SafeString:
    """One visit's chip. ``a`` is an Appointment or a selectors.ChipRow (which
    carries its clinic-time start as ``local_start``)."""
    return mark_safe(_chip(a, ctx, error))


def _chip(a, ctx: ChipContext, error: str = "") -> str:
    pk = a.pk
    status = a.status
    patient = a.patient
    hidden = getattr(a, "patient_hidden", False)
    family = escape(patient.family_name)
    colour, type_name = ctx.type_parts(a.appointment_type)
    classes = f"appt appt-{colour} status-{status}"
    badges = ""
    if a.is_double_booked:
        classes += " double-booked"
        badges = (
            f' <span class="badge text-bg-danger" title="{escape(a.override_reason)}">'
            f"{ctx.labels['double']}</span>"
        )
    no_shows = getattr(a, "no_show_count", 0)
    if no_shows:
        badges += ctx.no_shows_badge(no_shows)
    state = getattr(a, "eligibility_state", "")
    if state in MARKS:
        badges += ctx.eligibility_badges[state]
    actions = "" if hidden else ctx.actions.get(status, "")
    if actions and not is_in_window(a, CHIP_TARGETS[status], ctx.now):
        actions = ctx.closed_actions.get(status, "")
    if actions:
        actions = actions.replace(_PK, str(pk)).replace(_FAMILY, family)
    room = ctx.room_part(a.room.name) if a.room_id else ""
    error_html = (
        f'<div class="text-danger small" role="alert">{escape(error)}</div>'
        if error
        else ""
    )
    start = getattr(a, "local_start", None) or timezone.localtime(a.start)
    end = getattr(a, "local_end", None) or timezone.localtime(a.end)
    # A restricted patient the user holds no grant for: the slot is busy, nobody's.
    who = (
        ctx.labels["restricted"]
        if hidden
        else f"{family}, {escape(patient.given_name)}"
    )
    return (
        f'<div class="{classes}" id="appt-{pk}" data-status="{status}">'
        f'<a href="{ctx.detail.format(pk)}"><strong>{start.hour:02d}:'
        f"{start.minute:02d}–{end.hour:02d}:{end.minute:02d}</strong> {who}</a>"
        f'<div class="small">{type_name}{room} · '
        f'<span class="badge text-bg-light">{ctx.status[status]}</span>{badges}'
        f"</div>{error_html}{actions}</div>"
    )


def grid_body_html(rows, *, ctx: ChipContext) -> SafeString:
    """The <tbody> rows of the day or week grid."""
    parts = []
    append = parts.append
    closed = f'<td class="empty closed" title="{escape(_("closed"))}"></td>'
    for index, row in enumerate(rows):
        append('<tr class="hour">' if index % 4 == 0 else "<tr>")
        label = escape(row.label) if index % 2 == 0 else ""
        append(f'<th class="time" scope="row">{label}</th>')
        for cell in row.cells:
            if cell is None:
                append('<td class="empty"></td>')
                continue
            if cell == CLOSED:
                append(closed)
                continue
            append(f'<td rowspan="{int(cell.rowspan)}">')
            for a in cell.appointments:
                append(_chip(a, ctx))
            append("</td>")
        append("</tr>\n")
    return mark_safe("".join(parts))
