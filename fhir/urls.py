"""/fhir/: the FHIR R4 API (token-authenticated, JSON only)."""

from django.urls import path, re_path

from fhir import bulk_urls, views

app_name = "fhir"

TYPE = r"(?P<type_name>[A-Z][A-Za-z]{1,63})"
ID = r"(?P<ident>[A-Za-z0-9\-.]{1,64})"
VID = r"(?P<version_id>[A-Za-z0-9\-.]{1,64})"

urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    *bulk_urls.urlpatterns,
    re_path(rf"^{TYPE}$", views.type_endpoint, name="type"),
    re_path(rf"^{TYPE}/_history$", views.type_history_endpoint, name="type-history"),
    re_path(rf"^{TYPE}/{ID}$", views.instance_endpoint, name="instance"),
    re_path(
        rf"^{TYPE}/{ID}/_history$",
        views.instance_history_endpoint,
        name="instance-history",
    ),
    re_path(rf"^{TYPE}/{ID}/_history/{VID}$", views.vread_endpoint, name="vread"),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not-found"),
]
