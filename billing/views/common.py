"""What billing's pages share: loading a claim, a button, a form posted from
another page."""

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured

from billing import selectors
from clinic.edges import PostActionView, found_or_404
from clinic.permissions import RoleRequiredMixin
from clinic.services import access_log_request
from registration.banner import PatientBannerMixin

VIEW_CLAIMS = "billing.view_claim"
CHANGE_CLAIMS = "billing.change_claim"


class ClaimMixin(RoleRequiredMixin, PatientBannerMixin):
    """Loads ``self.claim`` (with what its page shows) from the URL; its pages
    carry the patient banner."""

    def get_banner_patient(self):
        return self.claim.patient

    def dispatch(self, request, *args, **kwargs):
        self.claim = found_or_404(selectors.claim_detail, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_service_kwargs(self) -> dict:
        return {"claim": self.claim}

    def get_context_data(self, **kwargs):
        return super().get_context_data(claim=self.claim, **kwargs)


class ClaimPageMixin(ClaimMixin):
    """A page that shows the claim: each look is written in the access log."""

    access_what = "claim"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        access_log_request(
            request, patient=self.claim.patient, obj=self.claim, what=self.access_what
        )
        return response


class BillingActionView(PostActionView):
    """A billing button: after success, the page of what the service made when it
    has one, else (and after a refusal) ``get_back_url()``."""

    def get_back_url(self) -> str:
        raise ImproperlyConfigured(f"{type(self).__name__} must define get_back_url()")

    def get_redirect_url(self, result=None) -> str:
        if result is not None and hasattr(result, "get_absolute_url"):
            return result.get_absolute_url()
        return self.get_back_url()


class FormOnPageMixin:
    """For a ``ServiceFormMixin`` form posted from another page (the visit's, the
    claim's): a refusal shows that page again with ``invalid_message`` and the
    form-wide errors on top (the page may no longer show the form, when the
    refusal is that it no longer applies) and this form, as typed and with its
    errors, under ``context_form_name``."""

    http_method_names = ["post"]
    context_form_name = ""
    invalid_message = ""
    # The page the form lives on, and the record both load from the URL
    # ("claim"), handed over so the page does not read it again.
    page_view_class = None
    page_record = ""

    def page_view(self):
        """The page the form lives on, set up for this request."""
        if self.page_view_class is None or not self.page_record:
            raise ImproperlyConfigured(
                f"{type(self).__name__} must define page_view_class and page_record"
            )
        view = self.page_view_class()
        view.setup(self.request, *self.args, **self.kwargs)
        setattr(view, self.page_record, getattr(self, self.page_record))
        return view

    def form_invalid(self, form):
        for text in [self.invalid_message, *form.non_field_errors()]:
            if text:
                messages.error(self.request, text)
        view = self.page_view()
        return self.response_class(
            request=self.request,
            template=[view.template_name],
            context=view.get_context_data(**{self.context_form_name: form}),
        )
