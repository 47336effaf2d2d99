"""A claim's service lines: edit one, add one, remove one (with a reason)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView

from billing import services
from billing.exceptions import BillingError
from billing.forms import ClaimLineForm, ReasonForm
from billing.services.claims import NOT_EDITABLE
from billing.views.common import CHANGE_CLAIMS, ClaimMixin, log_patient_access
from clinic.forms import add_validation_error

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


class ClaimLinePageMixin(ClaimMixin):
    """A page that changes the lines of an editable claim (billing's claim
    permission, the one the claim's own edit uses)."""

    permission_required = CHANGE_CLAIMS
    template_name = "billing/claim_line_form.html"
    page_title = ""

    def get(self, request, *args, **kwargs):
        if not self.claim.is_editable:
            messages.error(request, _(NOT_EDITABLE))
            return redirect(self.claim)
        response = super().get(request, *args, **kwargs)
        log_patient_access(
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

    def refused(self, form, exc):
        if isinstance(exc, ValidationError):
            add_validation_error(form, exc)
        else:
            form.add_error(None, exc.message)
        return self.form_invalid(form)


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


class ClaimLineEditView(ClaimLineMixin, FormView):
    page_title = gettext_lazy("Edit service line")

    def get_form(self, form_class=None):
        data = self.request.POST if self.request.method == "POST" else None
        return ClaimLineForm.for_line(
            self.line, data, diagnosis_count=len(self.claim.diagnosis_list)
        )

    def form_valid(self, form):
        try:
            line = services.claim_line_update(
                line=self.line, actor=self.request.user, **form.cleaned_data
            )
        except (ValidationError, BillingError) as exc:
            return self.refused(form, exc)
        done = _("Line %(n)d saved:") % {"n": line.line_number}
        messages.success(self.request, outcome_message(line.claim, done))
        return redirect(line.claim)


class ClaimLineAddView(ClaimLinePageMixin, FormView):
    page_title = gettext_lazy("Add a service line")

    def get_form(self, form_class=None):
        data = self.request.POST if self.request.method == "POST" else None
        return ClaimLineForm.for_new_line(
            data, diagnosis_count=len(self.claim.diagnosis_list)
        )

    def form_valid(self, form):
        try:
            line = services.claim_line_add(
                claim=self.claim, actor=self.request.user, **form.cleaned_data
            )
        except (ValidationError, BillingError) as exc:
            return self.refused(form, exc)
        done = _("Line %(n)d added:") % {"n": line.line_number}
        messages.success(self.request, outcome_message(line.claim, done))
        return redirect(line.claim)


class ClaimLineRemoveView(ClaimLineMixin, FormView):
    page_title = gettext_lazy("Remove a service line")
    template_name = "billing/claim_line_remove.html"

    def get_form(self, form_class=None):
        data = self.request.POST if self.request.method == "POST" else None
        form = ReasonForm(data, submit_label=_("Remove line"))
        # A history reason holds 100 characters.
        form.fields["reason"].validators.append(MaxLengthValidator(REASON_MAX))
        form.fields["reason"].widget.attrs["maxlength"] = REASON_MAX
        return form

    def form_valid(self, form):
        try:
            claim = services.claim_line_remove(
                line=self.line,
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except BillingError as exc:
            return self.refused(form, exc)
        done = _("Line %(n)d removed:") % {"n": self.line.line_number}
        messages.success(self.request, outcome_message(claim, done))
        return redirect(claim)
