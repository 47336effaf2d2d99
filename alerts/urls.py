from django.urls import path

from alerts import outbox_views, rule_views, views

app_name = "alerts"

urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path(
        "<int:pk>/acknowledge/",
        views.AlertAcknowledgeView.as_view(),
        name="acknowledge",
    ),
    path("<int:pk>/resolve/", views.AlertResolveView.as_view(), name="resolve"),
    path("outbox/", outbox_views.OutboxView.as_view(), name="outbox"),
    path("outbox/<int:pk>/resend/", outbox_views.ResendView.as_view(), name="resend"),
    path("offers/<int:pk>/", outbox_views.OfferSendView.as_view(), name="offer-send"),
    path("rules/", rule_views.RuleListView.as_view(), name="rule-list"),
    path("rules/new/", rule_views.RuleCreateView.as_view(), name="rule-create"),
    path("rules/<int:pk>/", rule_views.RuleUpdateView.as_view(), name="rule-edit"),
    path("rules/preview/", rule_views.RulePreviewView.as_view(), name="rule-preview"),
]
