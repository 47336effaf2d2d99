from django.urls import path

from clinic.routes import record_actions
from smart.views import clients, endpoints

app_name = "smart"

urlpatterns = [
    path("auth/token", endpoints.token, name="token"),
    path(
        ".well-known/smart-configuration",
        endpoints.smart_configuration,
        name="smart-configuration",
    ),
    # SMART discovery is relative to the FHIR base URL.
    path(
        "fhir/.well-known/smart-configuration",
        endpoints.smart_configuration,
        name="fhir-smart-configuration",
    ),
    path("api-clients/", clients.ClientListView.as_view(), name="client-list"),
    path("api-clients/new/", clients.ClientCreateView.as_view(), name="client-create"),
    path(
        "api-clients/<int:pk>/",
        clients.ClientDetailView.as_view(),
        name="client-detail",
    ),
    *record_actions(
        "api-clients/<int:pk>/",
        "client",
        {
            "edit": clients.ClientUpdateView,
            "switch-off": clients.ClientSwitchOffView,
            "switch-on": clients.ClientSwitchOnView,
        },
    ),
]
