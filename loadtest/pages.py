"""What a locust user reads off a page: its forms (with the values a browser would
send untouched) and its links. The standard library's HTML parser is enough for
server-rendered pages."""

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    attrs: dict[str, str] = field(default_factory=dict)
    options: dict[str, list[str]] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(
                Form(attrs.get("action", ""), attrs.get("method", "get"), attrs=attrs)
            )
            return
        if not self.forms:
            return
        fields = self.forms[-1].fields
        if tag == "option" and self._select:
            value = attrs.get("value", "")
            self.forms[-1].options.setdefault(self._select, []).append(value)
            if "selected" in attrs or (self._select not in fields and value):
                fields[self._select] = value
            return
        if not attrs.get("name"):
            return
        name = attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file"):
                fields[name] = attrs.get("value", "on" if kind == "checkbox" else "")
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            fields[name] = ""

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1].fields[self._textarea] += data


def forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def form(html: str, action: str = "") -> Form | None:
    """The first form whose action contains ``action`` (the page's own form when
    ``action`` is empty and the form posts to the page itself)."""
    for found in forms(html):
        posts = found.method.lower() == "post" and action in found.action
        if posts and (action or not found.action):
            return found
    return None


def links(page: str, pattern: str) -> list[str]:
    """Every distinct href matching ``pattern`` (a regular expression), in order."""
    found = re.findall(rf'href="({pattern})"', page)
    return list(dict.fromkeys(html.unescape(link) for link in found))
