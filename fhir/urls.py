"""/fhir/: the FHIR R4 API (token-authenticated, JSON only). ``$export`` is
routed before the catch-all."""

from django.urls import path, re_path

from fhir import bulk_views, views

app_name = "fhir"

TYPE = r"(?P<type_name>[A-Z][A-Za-z]{1,63})"
ID = r"(?P<ident>[A-Za-z0-9\-.]{1,64})"
VID = r"(?P<version_id>[A-Za-z0-9\-.]{1,64})"

urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    re_path(r"^\$export$", bulk_views.system_export, name="export"),
    re_path(r"^Patient/\$export$", bulk_views.patient_export, name="patient-export"),
    re_path(rf"^Group/{ID}/\$export$", bulk_views.group_export, name="group-export"),
    re_path(rf"^\$export-status/{ID}$", bulk_views.export_status, name="export-status"),
    re_path(
        rf"^\$export-file/{ID}/{TYPE}$", bulk_views.export_file, name="export-file"
    ),
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
