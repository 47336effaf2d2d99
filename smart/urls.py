from django.urls import path

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
    path(
        "api-clients/<int:pk>/edit/",
        clients.ClientUpdateView.as_view(),
        name="client-edit",
    ),
    path(
        "api-clients/<int:pk>/switch-off/",
        clients.ClientSwitchOffView.as_view(),
        name="client-switch-off",
    ),
    path(
        "api-clients/<int:pk>/switch-on/",
        clients.ClientSwitchOnView.as_view(),
        name="client-switch-on",
    ),
]
