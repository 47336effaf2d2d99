"""Routes of ``$export`` (placed before the API's catch-all in fhir/urls.py)."""

from django.urls import re_path

from fhir import bulk_views

ID = r"(?P<ident>[A-Za-z0-9\-.]{1,64})"

urlpatterns = [
    re_path(r"^\$export$", bulk_views.system_export, name="export"),
    re_path(r"^Patient/\$export$", bulk_views.patient_export, name="patient-export"),
    re_path(rf"^Group/{ID}/\$export$", bulk_views.group_export, name="group-export"),
    re_path(rf"^\$export-status/{ID}$", bulk_views.export_status, name="export-status"),
    re_path(
        rf"^\$export-file/{ID}/(?P<type_name>[A-Z][A-Za-z]{{1,63}})$",
        bulk_views.export_file,
        name="export-file",
    ),
]
