"""The form renderer: Django's own templates, except for a ``<select>``, whose
options are written here. A select renders two templates per option; the
registration page's country, language and state lists made it about a thousand
template renders, most of the page's time. The output is the templates' to the
byte (``tests/clinic/test_form_renderer.py`` renders both ways and compares), and
everything goes through the templates' own escaping (``render_value_in_context``).
"""

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import stringformat
from django.utils.safestring import SafeData, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _shown(value, context: Context) -> str:
    """``{{ value }}`` in a template: localized, escaped unless already safe."""
    return render_value_in_context(value, context)


def _as_string(value, context: Context) -> str:
    """``{{ value|stringformat:'s' }}`` (the filter keeps a safe value safe)."""
    text = stringformat(value, "s")
    return _shown(mark_safe(text) if isinstance(value, SafeData) else text, context)


def _attrs(attrs: dict, context: Context) -> str:
    """``django/forms/widgets/attrs.html``."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_shown(name, context)}")
        if value is not True:
            out.append(f'="{_as_string(value, context)}"')
    return "".join(out)


def _option(option: dict, context: Context) -> str:
    return (
        f'<option value="{_as_string(option["value"], context)}"'
        f"{_attrs(option['attrs'], context)}>{_shown(option['label'], context)}"
        "</option>\n"
    )


def select_html(widget: dict) -> str:
    """``django/forms/widgets/select.html`` for a widget context."""
    context = Context(autoescape=True)
    out = [f'<select name="{_shown(widget["name"], context)}"']
    out.append(f"{_attrs(widget['attrs'], context)}>")
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_shown(group_name, context)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                return ""  # a widget with its own option template: not ours
            out.append(f"\n  {_option(option, context)}")
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


class FormRenderer(DjangoTemplates):
    """``settings.FORM_RENDERER``: selects written directly, the rest by template."""

    def render(self, template_name, context, request=None):
        if template_name == SELECT:
            html = select_html(context["widget"])
            if html:
                return mark_safe(html)  # every part was escaped above
        return super().render(template_name, context, request)
