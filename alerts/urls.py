from django.urls import path

from alerts.views import inbox, outbox, rules

app_name = "alerts"

urlpatterns = [
    path("", inbox.InboxView.as_view(), name="inbox"),
    path(
        "<int:pk>/acknowledge/",
        inbox.AlertAcknowledgeView.as_view(),
        name="acknowledge",
    ),
    path("<int:pk>/resolve/", inbox.AlertResolveView.as_view(), name="resolve"),
    path("outbox/", outbox.OutboxView.as_view(), name="outbox"),
    path("outbox/<int:pk>/resend/", outbox.ResendView.as_view(), name="resend"),
    path("offers/<int:pk>/", outbox.OfferSendView.as_view(), name="offer-send"),
    # Moved to automations (old bookmarks keep working).
    path("rules/", rules.moved("automations:rule-list"), name="rule-list"),
    path("rules/new/", rules.moved("automations:rule-create"), name="rule-create"),
    path("rules/<int:pk>/", rules.moved("automations:rule-edit"), name="rule-edit"),
]
