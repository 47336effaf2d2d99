"""The MAR grid's rows, rendered in Python: a unit page holds hundreds of doses, and
Django's template engine spends about 0.1 ms on each variable it looks up."""

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _chip(chip, can_give: bool, give_url: str) -> str:
    inner = (
        f'<span class="d-block mar-chip-drug">{escape(chip.head)}</span>'
        f'<span class="d-block fw-normal">{escape(chip.body)}</span>'
    )
    attrs = (
        f'id="dose-{chip.ref}" data-state="{chip.state}" title="{escape(chip.title)}"'
    )
    if chip.is_open and can_give:
        return (
            f'<a class="badge mar-chip {chip.state_class} text-decoration-none" '
            f'{attrs} href="{escape(give_url)}{chip.ref}/give/">{inner}</a>'
        )
    return f'<span class="badge mar-chip {chip.state_class}" {attrs}>{inner}</span>'


@register.simple_tag
def mar_rows(mar, can_give: bool, give_url: str, patient_url: str):
    """Every patient's row of the unit grid: a header cell, then one cell per hour
    with a coloured chip per dose (an open dose links to the bedside form)."""
    html = []
    restricted = escape(_("Restricted patient"))
    for row in mar.rows:
        patient = row.patient
        if patient.patient_hidden:
            # The doses stay visible (they are due); who it is does not.
            html.append(
                f'<tr id="mar-row-restricted-{patient.pk}"><th scope="row" '
                f'class="mar-patient-col"><a href="{escape(patient_url)}{patient.pk}/">'
                f"{restricted}</a></th>"
            )
        else:
            html.append(
                f'<tr id="mar-row-{escape(patient.mrn)}"><th scope="row" '
                f'class="mar-patient-col"><a href="{escape(patient_url)}{patient.pk}/">'
                f"{escape(patient.family_name)}, {escape(patient.given_name)}</a>"
                f'<div class="small text-secondary">{escape(patient.mrn)} · '
                f"{patient.birth_date:%Y-%m-%d}</div></th>"
            )
        for cell in row.cells:
            chips = "".join(_chip(chip, can_give, give_url) for chip in cell.chips)
            html.append(f'<td class="{cell.css}">{chips}</td>')
        html.append("</tr>")
    return mark_safe("".join(html))
