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
    # Moved to automations (old bookmarks keep working).
    path("rules/", rule_views.moved("automations:rule-list"), name="rule-list"),
    path("rules/new/", rule_views.moved("automations:rule-create"), name="rule-create"),
    path(
        "rules/<int:pk>/", rule_views.moved("automations:rule-edit"), name="rule-edit"
    ),
]
