from django import template

from scheduling.day_grid_html import ChipContext, chip_html, grid_body_html

register = template.Library()


def _next_url(context) -> str:
    request = context.get("request")
    return context.get("next") or (request.get_full_path() if request else "")


@register.simple_tag(takes_context=True)
def appointment_chip(context, appointment, can_change=False, error=""):
    ctx = context.get("_chip_context")
    if ctx is None or ctx.can_change != bool(can_change):
        ctx = ChipContext(can_change=bool(can_change), next_url=_next_url(context))
        context["_chip_context"] = ctx
    return chip_html(appointment, ctx=ctx, error=error or "")


@register.simple_tag(takes_context=True)
def grid_body(context, rows, can_change=False):
    ctx = ChipContext(can_change=bool(can_change), next_url=_next_url(context))
    return grid_body_html(rows, ctx=ctx)
