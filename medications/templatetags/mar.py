"""The MAR grid's dose chip, rendered in Python: a unit page holds hundreds."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def mar_chip(chip, can_give: bool, give_url: str):
    """A coloured chip for one dose; an open dose links to the bedside form."""
    inner = format_html(
        '<span class="d-block mar-chip-drug">{}</span>'
        '<span class="d-block fw-normal">{}</span>',
        chip.head,
        chip.body,
    )
    if chip.is_open and can_give:
        return format_html(
            '<a class="badge mar-chip {} text-decoration-none" id="dose-{}" '
            'data-state="{}" href="{}{}/give/" title="{}">{}</a>',
            chip.state_class,
            chip.ref,
            chip.state,
            give_url,
            chip.ref,
            chip.title,
            inner,
        )
    return format_html(
        '<span class="badge mar-chip {}" id="dose-{}" data-state="{}" title="{}">'
        "{}</span>",
        chip.state_class,
        chip.ref,
        chip.state,
        chip.title,
        inner,
    )
