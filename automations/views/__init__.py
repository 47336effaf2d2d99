"""Pages of the automations app (administrators), by subject: the editor, what
automations did and would do (runs), the starter library. The reminder-rule
pages are in ``automations.reminders.views``."""

from automations.views.editor import (
    ActionAddView,
    ActionChangeView,
    ActionFormView,
    AutomationCopyView,
    AutomationCreateView,
    AutomationEditView,
    AutomationListView,
    AutomationToggleView,
    ConditionAddView,
    ConditionFormView,
    ConditionRemoveView,
)
from automations.views.library import LibraryView, StarterCopyView
from automations.views.runs import (
    DryRunView,
    MetricsView,
    PreviewView,
    RecallListView,
    RunDetailView,
    RunListView,
)

__all__ = [
    "ActionAddView",
    "ActionChangeView",
    "ActionFormView",
    "AutomationCopyView",
    "AutomationCreateView",
    "AutomationEditView",
    "AutomationListView",
    "AutomationToggleView",
    "ConditionAddView",
    "ConditionFormView",
    "ConditionRemoveView",
    "DryRunView",
    "LibraryView",
    "MetricsView",
    "PreviewView",
    "RecallListView",
    "RunDetailView",
    "RunListView",
    "StarterCopyView",
]
