from django.urls import include, path

from automations import views
from automations.reminders import views as reminder_views

app_name = "automations"

reminder_patterns = [
    path("", reminder_views.RuleListView.as_view(), name="rule-list"),
    path("new/", reminder_views.RuleCreateView.as_view(), name="rule-create"),
    path("<int:pk>/", reminder_views.RuleUpdateView.as_view(), name="rule-edit"),
    path("preview/", reminder_views.RulePreviewView.as_view(), name="rule-preview"),
]

# Pages about one automation: <pk>/...
automation_patterns = [
    path("", views.AutomationEditView.as_view(), name="edit"),
    path("toggle/", views.AutomationToggleView.as_view(), name="toggle"),
    path("copy/", views.AutomationCopyView.as_view(), name="copy"),
    path("dry-run/", views.DryRunView.as_view(), name="dry-run"),
    path("preview/", views.PreviewView.as_view(), name="preview"),
    path("metrics/", views.MetricsView.as_view(), name="metrics"),
    path("conditions/form/", views.ConditionFormView.as_view(), name="condition-form"),
    path("conditions/add/", views.ConditionAddView.as_view(), name="condition-add"),
    path("actions/form/", views.ActionFormView.as_view(), name="action-form"),
    path("actions/add/", views.ActionAddView.as_view(), name="action-add"),
]

urlpatterns = [
    path("", views.AutomationListView.as_view(), name="list"),
    path("new/", views.AutomationCreateView.as_view(), name="create"),
    path("library/", views.LibraryView.as_view(), name="library"),
    path(
        "library/<slug:slug>/copy/",
        views.StarterCopyView.as_view(),
        name="starter-copy",
    ),
    path("runs/", views.RunListView.as_view(), name="run-list"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="run-detail"),
    path("reminders/", include(reminder_patterns)),
    path("recall/", views.RecallListView.as_view(), name="recall-list"),
    path("<int:pk>/", include(automation_patterns)),
    path(
        "conditions/<int:pk>/remove/",
        views.ConditionRemoveView.as_view(),
        name="condition-remove",
    ),
    path(
        "actions/<int:pk>/change/",
        views.ActionChangeView.as_view(),
        name="action-change",
    ),
]
