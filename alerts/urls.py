from django.urls import path

from alerts.views import inbox, outbox, rules
from clinic.routes import record_actions

app_name = "alerts"

urlpatterns = [
    path("", inbox.InboxView.as_view(), name="inbox"),
    *record_actions(
        "<int:pk>/",
        "",
        {
            "acknowledge": inbox.AlertAcknowledgeView,
            "resolve": inbox.AlertResolveView,
        },
    ),
    path("outbox/", outbox.OutboxView.as_view(), name="outbox"),
    path("outbox/<int:pk>/resend/", outbox.ResendView.as_view(), name="resend"),
    path("offers/<int:pk>/", outbox.OfferSendView.as_view(), name="offer-send"),
    # Moved to automations (old bookmarks keep working).
    path("rules/", rules.moved("automations:rule-list"), name="rule-list"),
    path("rules/new/", rules.moved("automations:rule-create"), name="rule-create"),
    path("rules/<int:pk>/", rules.moved("automations:rule-edit"), name="rule-edit"),
]
