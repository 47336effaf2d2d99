"""The one panel: a card on a page made of panels (the home page's "my work today"
and the patient chart). Each app's ``dashboard.py`` and ``chart_panel.py`` return
these; the page lays them out by ``width`` and draws ``template`` with ``context``.
"""

from dataclasses import dataclass, field


@dataclass
class Panel:
    title: str
    template: str
    context: dict = field(default_factory=dict)
    width: int = 6  # Bootstrap columns on a wide screen
    key: str = ""  # a chart panel's name (its anchor and test hook)
