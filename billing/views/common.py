"""What billing's pages share: loading a claim, logging who saw it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect

from billing import selectors
from billing.models import Claim
from clinic.exceptions import ApplicationError
from clinic.models import AccessLog
from clinic.permissions import RoleRequiredMixin
from clinic.services import access_log_record
from registration.banner import PatientBannerMixin

VIEW_CLAIMS = "billing.view_claim"
CHANGE_CLAIMS = "billing.change_claim"


def querystring(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def log_patient_access(request, *, patient, obj, what, action=AccessLog.Action.VIEW):
    access_log_record(
        user=request.user,
        action=action,
        patient=patient,
        obj=obj,
        what=what,
        request=request,
    )


class ClaimMixin(RoleRequiredMixin, PatientBannerMixin):
    """Loads ``self.claim`` (with what its page shows) from the URL; its pages
    carry the patient banner."""

    def get_banner_patient(self):
        return self.claim.patient

    def dispatch(self, request, *args, **kwargs):
        try:
            self.claim = selectors.claim_detail(pk=kwargs["pk"])
        except Claim.DoesNotExist:
            raise Http404 from None
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(claim=self.claim, **kwargs)


def run_action(request, action, success: str, target):
    """Call a service; its domain error or ValidationError becomes a message."""
    try:
        result = action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(target)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(target)
    messages.success(request, success)
    return redirect(result if hasattr(result, "get_absolute_url") else target)
