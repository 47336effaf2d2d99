from django.urls import path

from automations import views
from automations.reminders import views as reminder_views
from clinic.routes import record_actions

app_name = "automations"

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
    path("reminders/", reminder_views.RuleListView.as_view(), name="rule-list"),
    path("reminders/new/", reminder_views.RuleCreateView.as_view(), name="rule-create"),
    path(
        "reminders/<int:pk>/",
        reminder_views.RuleUpdateView.as_view(),
        name="rule-edit",
    ),
    path(
        "reminders/preview/",
        reminder_views.RulePreviewView.as_view(),
        name="rule-preview",
    ),
    path("recall/", views.RecallListView.as_view(), name="recall-list"),
    path("<int:pk>/", views.AutomationEditView.as_view(), name="edit"),
    *record_actions(
        "<int:pk>/",
        "",
        {
            "toggle": views.AutomationToggleView,
            "copy": views.AutomationCopyView,
            "dry-run": views.DryRunView,
            "preview": views.PreviewView,
            "metrics": views.MetricsView,
        },
    ),
    path(
        "<int:pk>/conditions/form/",
        views.ConditionFormView.as_view(),
        name="condition-form",
    ),
    path(
        "<int:pk>/conditions/add/",
        views.ConditionAddView.as_view(),
        name="condition-add",
    ),
    path(
        "conditions/<int:pk>/remove/",
        views.ConditionRemoveView.as_view(),
        name="condition-remove",
    ),
    path("<int:pk>/actions/form/", views.ActionFormView.as_view(), name="action-form"),
    path("<int:pk>/actions/add/", views.ActionAddView.as_view(), name="action-add"),
    path(
        "actions/<int:pk>/change/",
        views.ActionChangeView.as_view(),
        name="action-change",
    ),
]
