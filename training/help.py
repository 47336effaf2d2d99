"""The help panel beside every page: Markdown files in ``training/help/``, one per
URL namespace, one ``## name, other-name: Title`` section per page (the URL names
it serves). Rendered server-side by markdown-it-py with raw HTML disabled, so a
``<tag>`` in a help file is shown as text, never run."""

import functools
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

HELP_DIR = Path(__file__).resolve().parent / "help"


@dataclass(frozen=True)
class HelpEntry:
    title: str
    html: str


def _renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def _sections(text: str):
    """(names, title, body) for each ``## `` section of one help file."""
    for chunk in text.split("\n## ")[1:]:
        heading, _newline, body = chunk.partition("\n")
        names, _colon, title = heading.partition(":")
        yield [n.strip() for n in names.split(",") if n.strip()], title.strip(), body


@functools.cache
def help_entries() -> dict[str, HelpEntry]:
    """Every page's entry by its URL name (``namespace:name``)."""
    md = _renderer()
    entries = {}
    for path in sorted(HELP_DIR.glob("*.md")):
        namespace = path.stem
        for names, title, body in _sections(path.read_text(encoding="utf-8")):
            entry = HelpEntry(title=title, html=md.render(body))
            for name in names:
                entries[f"{namespace}:{name}"] = entry
    return entries


def help_for(view_name: str | None) -> HelpEntry | None:
    return help_entries().get(view_name or "")
