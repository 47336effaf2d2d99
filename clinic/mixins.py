"""View mixins shared by every app: role checks live in clinic.permissions, the
PHI access log here."""

from django.core.exceptions import PermissionDenied

from clinic.models import AccessLog
from clinic.services import access_log_record


def patient_of(obj):
    """The patient a record belongs to: the record itself, its ``patient``, or None."""
    from registration.models import Patient

    if isinstance(obj, Patient):
        return obj
    patient = getattr(obj, "patient", None)
    return patient if isinstance(patient, Patient) else None


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
        if patient is not None and getattr(patient, "restriction", ""):
            # The gate in front of the view (registration.restriction) already
            # refused pages it knows; this catches a patient page it does not.
            from registration.restriction import may_open

            if not may_open(
                user=self.request.user, patient=patient, request=self.request
            ):
                raise PermissionDenied("Restricted patient")
        response = super().render_to_response(context, **response_kwargs)
        if patient is not None:
            access_log_record(
                user=self.request.user,
                action=self.access_action,
                patient=patient,
                obj=self.get_access_object(),
                what=self.access_what,
                request=self.request,
            )
        return response


class ListAccessLogMixin:
    """A page that lists many patients (a day's schedule, a unit's board) writes one
    access-log row naming the page, not one per patient shown.

    Subclasses set ``access_what`` or override ``get_access_what``.
    """

    access_what = ""

    def get_access_what(self) -> str:
        return self.access_what or self.request.get_full_path()[:200]

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        access_log_record(
            user=self.request.user,
            action=AccessLog.Action.VIEW,
            what=self.get_access_what(),
            request=self.request,
        )
        return response
