"""A claim's service lines: edit one, add one, remove one (with a reason)."""

from django.contrib import messages
from django.core.validators import MaxLengthValidator
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView

from billing import services
from billing.forms import ClaimLineForm, ReasonForm
from billing.services.claims import NOT_EDITABLE
from billing.views.common import CHANGE_CLAIMS, ClaimMixin
from clinic.edges import ServiceFormMixin
from clinic.services import access_log_request

REASON_MAX = 100


def outcome_message(claim, done: str) -> str:
    """What billing needs to know after a line changed: the new total and what
    the scrubber now says."""
    total = _("the claim total is now %(total)s") % {"total": claim.total_charge}
    if claim.scrub_errors:
        found = ngettext(
            "the scrubber found %(n)d problem",
            "the scrubber found %(n)d problems",
            len(claim.scrub_errors),
        ) % {"n": len(claim.scrub_errors)}
    else:
        found = _("the scrubber found nothing")
    return f"{done} {total}; {found}."


class ClaimLinePageMixin(ClaimMixin, ServiceFormMixin):
    """A page that changes the lines of an editable claim (billing's claim
    permission, the one the claim's own edit uses); after a change, back to the
    claim with its new total and what the scrubber says."""

    permission_required = CHANGE_CLAIMS
    template_name = "billing/claim_line_form.html"
    page_title = ""

    def get(self, request, *args, **kwargs):
        if not self.claim.is_editable:
            messages.error(request, _(NOT_EDITABLE))
            return redirect(self.claim)
        response = super().get(request, *args, **kwargs)
        access_log_request(
            request, patient=self.claim.patient, obj=self.claim, what="claim lines"
        )
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=self.page_title,
            lines=list(self.claim.lines.all()),
            # Lines of a primary claim are rebuilt from the visit's charges whenever
            # those (or the diagnoses) change, which replaces edits made here.
            follows_visit=self.claim.primary_claim_id is None,
            **kwargs,
        )

    done = ""  # "Line %(n)d saved:", with the changed line's number

    def changed(self, result) -> tuple:
        """(the claim, the changed line's number) after ``perform``."""
        return result.claim, result.line_number

    def get_success_message(self, result) -> str:
        claim, number = self.changed(result)
        return outcome_message(claim, self.done % {"n": number})

    def get_result_url(self, result) -> str:
        return self.changed(result)[0].get_absolute_url()


class ClaimLineMixin(ClaimLinePageMixin):
    """``self.line``: the claim's line named in the URL."""

    @cached_property
    def line(self):
        for line in self.claim.lines.all():
            if line.pk == self.kwargs["line"]:
                return line
        raise Http404

    def get_context_data(self, **kwargs):
        return super().get_context_data(line=self.line, **kwargs)

    def get_service_kwargs(self) -> dict:
        return {"line": self.line}


class ClaimLineEditView(ClaimLineMixin, FormView):
    page_title = gettext_lazy("Edit service line")
    done = gettext_lazy("Line %(n)d saved:")
    service = staticmethod(services.claim_line_update)

    def get_form(self, form_class=None):
        data = self.request.POST if self.request.method == "POST" else None
        return ClaimLineForm.for_line(
            self.line, data, diagnosis_count=len(self.claim.diagnosis_list)
        )


class ClaimLineAddView(ClaimLinePageMixin, FormView):
    page_title = gettext_lazy("Add a service line")
    done = gettext_lazy("Line %(n)d added:")
    service = staticmethod(services.claim_line_add)

    def get_form(self, form_class=None):
        data = self.request.POST if self.request.method == "POST" else None
        return ClaimLineForm.for_new_line(
            data, diagnosis_count=len(self.claim.diagnosis_list)
        )


class ClaimLineRemoveView(ClaimLineMixin, FormView):
    page_title = gettext_lazy("Remove a service line")
    template_name = "billing/claim_line_remove.html"
    done = gettext_lazy("Line %(n)d removed:")
    service = staticmethod(services.claim_line_remove)

    def get_form(self, form_class=None):
        data = self.request.POST if self.request.method == "POST" else None
        form = ReasonForm(data, submit_label=_("Remove line"))
        # A history reason holds 100 characters.
        form.fields["reason"].validators.append(MaxLengthValidator(REASON_MAX))
        form.fields["reason"].widget.attrs["maxlength"] = REASON_MAX
        return form

    def changed(self, result) -> tuple:
        return result, self.line.line_number  # the service returns the claim
