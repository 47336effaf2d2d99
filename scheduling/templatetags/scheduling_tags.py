from django import template

from scheduling.chips import chip_html, grid_body_html

register = template.Library()


@register.simple_tag(takes_context=True)
def appointment_chip(context, appointment, can_change=False, error=""):
    request = context.get("request")
    next_url = context.get("next") or (request.get_full_path() if request else "")
    return chip_html(appointment, can_change=can_change, next_url=next_url, error=error)


@register.simple_tag(takes_context=True)
def grid_body(context, rows, can_change=False):
    request = context.get("request")
    return grid_body_html(
        rows, can_change=can_change, next_url=request.get_full_path() if request else ""
    )
