"""HTML of an appointment chip and of the day grid's body.

Built in Python, not with template tags: a day of 800 visits is 800 chips and ~1,800
cells, and the template engine's per-node cost made that page slow. Everything is
escaped through ``format_html``; the markup matches the rest of the templates.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

ELIGIBILITY = {
    "verified": ("✔", "verified"),
    "failed": ("✖", "failed"),
    "stale": ("⟳", "stale"),
}


class _Urls:
    """URL patterns reversed once per page, then filled in per appointment."""

    def __init__(self):
        self.detail = reverse("scheduling:appointment-detail", args=[0]).replace(
            "/0/", "/{}/"
        )
        self.action = reverse("scheduling:appointment-action", args=[0]).replace(
            "/0/", "/{}/"
        )
        self.move = reverse("scheduling:appointment-move", args=[0]).replace(
            "/0/", "/{}/"
        )


def _button(css, url, target_pk, action, label, aria=""):
    return format_html(
        '<button type="button" class="btn {}" hx-post="{}" '
        'hx-vals=\'{{"action": "{}"}}\' hx-target="#appt-{}" '
        'hx-swap="outerHTML"{}>{}</button>',
        css,
        url,
        action,
        target_pk,
        format_html(' aria-label="{}"', aria) if aria else "",
        label,
    )


def chip_html(a, *, can_change: bool, next_url: str, urls=None, error="") -> SafeString:
    urls = urls or _Urls()
    pk = a.pk
    patient = a.patient
    visit_type = a.appointment_type
    classes = f"appt appt-{visit_type.colour} status-{a.status}"
    if a.is_double_booked:
        classes += " double-booked"
    badges = []
    if a.is_double_booked:
        badges.append(
            format_html(
                ' <span class="badge text-bg-danger" title="{}">{}</span>',
                a.override_reason,
                _("double-booked"),
            )
        )
    no_shows = getattr(a, "no_show_count", 0)
    if no_shows:
        badges.append(
            format_html(
                ' <span class="badge text-bg-warning" title="{}">{}</span>',
                _("Earlier no-shows"),
                ngettext("%(n)d no-show", "%(n)d no-shows", no_shows) % {"n": no_shows},
            )
        )
    state = getattr(a, "eligibility_state", "")
    if state in ELIGIBILITY:
        mark, word = ELIGIBILITY[state]
        badges.append(
            format_html(
                ' <span class="elig-{}" title="{}">{} {}</span>',
                state,
                _("Insurance"),
                mark,
                _(word),
            )
        )
    actions = ""
    if can_change:
        action_url = urls.action.format(pk)
        if a.status in ("scheduled", "confirmed"):
            move_url = urls.move.format(pk) + "?" + urlencode({"next": next_url})
            buttons = [
                _button(
                    "btn-success",
                    action_url,
                    pk,
                    "arrived",
                    _("Check in"),
                    f"{_('Check in')} {patient.family_name}",
                ),
                format_html(
                    '<button type="button" class="btn btn-outline-secondary" '
                    'hx-get="{}" hx-target="#action-panel" hx-swap="innerHTML">{}'
                    "</button>",
                    move_url,
                    _("Move"),
                ),
            ]
        elif a.status == "arrived":
            buttons = [_button("btn-primary", action_url, pk, "in_room", _("In room"))]
        elif a.status == "in_room":
            buttons = [_button("btn-secondary", action_url, pk, "completed", _("Done"))]
        else:
            buttons = []
        actions = format_html(
            '<div class="actions">{}</div>', mark_safe("".join(buttons))
        )
    local_start = timezone.localtime(a.start)
    room = format_html(" · {}", a.room.name) if a.room_id else ""
    return format_html(
        '<div class="{}" id="appt-{}" data-status="{}">'
        '<a href="{}"><strong>{}</strong> {}, {}</a>'
        '<div class="small">{}{} · <span class="badge text-bg-light">{}</span>{}</div>'
        "{}{}</div>",
        classes,
        pk,
        a.status,
        urls.detail.format(pk),
        local_start.strftime("%H:%M"),
        patient.family_name,
        patient.given_name,
        visit_type.name,
        room,
        a.get_status_display(),
        mark_safe("".join(badges)),
        format_html('<div class="text-danger small" role="alert">{}</div>', error)
        if error
        else "",
        actions,
    )


def grid_body_html(rows, *, can_change: bool, next_url: str) -> SafeString:
    """The <tbody> rows of the day or week grid."""
    urls = _Urls()
    parts = []
    for index, row in enumerate(rows):
        parts.append('<tr class="hour">' if index % 4 == 0 else "<tr>")
        parts.append(
            format_html(
                '<th class="time" scope="row">{}</th>',
                row.label if index % 2 == 0 else "",
            )
        )
        for cell in row.cells:
            if cell is None:
                parts.append('<td class="empty"></td>')
                continue
            parts.append(f'<td rowspan="{int(cell.rowspan)}">')
            parts.extend(
                chip_html(a, can_change=can_change, next_url=next_url, urls=urls)
                for a in cell.appointments
            )
            parts.append("</td>")
        parts.append("</tr>\n")
    return mark_safe("".join(parts))  # every piece is escaped above
