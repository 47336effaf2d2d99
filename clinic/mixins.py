"""View mixins shared by every app: role checks live in clinic.permissions, the
PHI access log here.

The core knows the patient model by its label, as Django knows the user model by
``AUTH_USER_MODEL``, and asks registration whether a restricted patient's page may
open through ``PATIENT_GATES`` (registration fills it at start): no import of an
app from the core.
"""

from django.core.exceptions import PermissionDenied

from clinic.models import AccessLog
from clinic.services import access_log_request

PATIENT_MODEL = "registration.Patient"

# Callables (user=, patient=, request=) -> bool, each able to refuse a restricted
# patient's page; registration.apps registers its break-glass rule here.
PATIENT_GATES: list = []


def is_patient(obj) -> bool:
    meta = getattr(obj, "_meta", None)
    return (
        meta is not None and not isinstance(obj, type) and meta.label == PATIENT_MODEL
    )


def patient_of(obj, depth: int = 2):
    """The patient a record belongs to: the record itself, its ``patient``, or the
    patient of a record it points to (a result's order, a dose's order: up to
    ``depth`` links away), or None."""
    if is_patient(obj):
        return obj
    patient = getattr(obj, "patient", None)
    if is_patient(patient):
        return patient
    if depth == 0 or obj is None:
        return None
    for field in obj._meta.get_fields():
        if field.many_to_one and field.concrete and field.name != "patient":
            if not hasattr(field.related_model, "_meta"):
                continue  # a generic foreign key
            if field.related_model._meta.label == "auth.User":
                continue
            found = patient_of(getattr(obj, field.name, None), depth - 1)
            if found is not None:
                return found
    return None


class PatientAccessLogMixin:
    """A page that shows a patient's data writes one access-log row when it renders.

    Set ``access_what`` ("chart", "history", ...); override ``get_access_patient`` when
    the patient is not ``self.object`` or its ``patient``.
    """

    access_action = AccessLog.Action.VIEW
    access_what = ""

    def get_access_object(self):
        return getattr(self, "object", None)

    def get_access_patient(self):
        obj = self.get_access_object()
        return patient_of(obj) if obj is not None else None

    def render_to_response(self, context, **response_kwargs):
        patient = self.get_access_patient()
        # The gate in front of the view (registration.restriction) already refused
        # pages it knows; this catches a patient page it does not. No gate
        # registered: closed, never open.
        if (
            patient is not None
            and getattr(patient, "restriction", "")
            and not (
                PATIENT_GATES
                and all(
                    gate(user=self.request.user, patient=patient, request=self.request)
                    for gate in PATIENT_GATES
                )
            )
        ):
            raise PermissionDenied("Restricted patient")
        response = super().render_to_response(context, **response_kwargs)
        if patient is not None:
            access_log_request(
                self.request,
                action=self.access_action,
                patient=patient,
                obj=self.get_access_object(),
                what=self.access_what,
            )
        return response


class ListAccessLogMixin:
    """A page that lists many patients (a day's schedule, a unit's board) writes one
    access-log row naming the page, not one per patient shown.

    Subclasses set ``access_what`` or override ``get_access_what``; a page that
    shows no one in some states (an empty search) overrides ``access_logged``.
    """

    access_what = ""

    def get_access_what(self) -> str:
        return self.access_what or self.request.get_full_path()[:200]

    def access_logged(self) -> bool:
        return True

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if not self.access_logged():
            return response
        access_log_request(self.request, what=self.get_access_what())
        return response


class AdminAccessLogMixin:
    """A Django admin page over patients' records writes access-log rows as the
    app's own pages do: one per list page (naming the page and its search), one
    per record page (change form, history) naming the record's patient.

    ``access_patient_path`` is the attribute path from a record to its patient
    ("patient", "order.patient"; "" for the patient itself).
    """

    access_patient_path = "patient"

    def _access_patient(self, obj):
        for name in filter(None, self.access_patient_path.split(".")):
            obj = getattr(obj, name, None)
        return patient_of(obj) if obj is not None else None

    def _log_record_page(self, request, object_id, what: str) -> None:
        from django.contrib.admin.utils import unquote

        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return
        access_log_request(
            request, patient=self._access_patient(obj), obj=obj, what=f"admin {what}"
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            access_log_request(request, what=f"admin list {request.get_full_path()}")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            self._log_record_page(request, object_id, "change form")
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        if response.status_code == 200:
            self._log_record_page(request, object_id, "history")
        return response

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        response = super().history_form_view(
            request, object_id, version_id, extra_context
        )
        if response.status_code == 200:
            self._log_record_page(request, object_id, "history version")
        return response
