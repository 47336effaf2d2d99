"""Claim pages: the list, one claim, its actions, the work queues, submission."""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, ListView, TemplateView

from billing import selectors, services
from billing.forms import (
    AssignForm,
    ClaimEditForm,
    ClaimFilterForm,
    NoteForm,
    ReasonForm,
)
from billing.models import Claim
from billing.views.common import (
    CHANGE_CLAIMS,
    VIEW_CLAIMS,
    BillingActionView,
    ClaimMixin,
    ClaimPageMixin,
    FormOnPageMixin,
)
from clinic.edges import (
    FilteredListMixin,
    ServiceFormMixin,
    TitledPageMixin,
    querystring,
)
from clinic.mixins import ListAccessLogMixin
from clinic.permissions import RoleRequiredMixin


class ClaimListView(RoleRequiredMixin, ListAccessLogMixin, FilteredListMixin, ListView):
    permission_required = VIEW_CLAIMS
    template_name = "billing/claim_list.html"
    context_object_name = "claims"
    paginate_by = 25
    access_what = "claim list"
    filter_form_class = ClaimFilterForm

    def get_queryset(self):
        payer = self.get_filters().get("payer")
        return selectors.claim_list(
            payer_id=payer.pk if payer else None,
            **self.filter_arguments("status", q="query"),
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            ready_count=Claim.objects.filter(status="ready").count(),
            tab="claims",
            **kwargs,
        )


class ClaimDetailView(ClaimPageMixin, TemplateView):
    permission_required = VIEW_CLAIMS
    template_name = "billing/claim_detail.html"

    def get_context_data(self, **kwargs):
        claim = self.claim
        can_change = self.request.user.has_perm(CHANGE_CLAIMS)
        lines = list(claim.lines.all())
        payments = list(claim.payments.all())
        can_edit_lines = can_change and claim.is_editable
        return super().get_context_data(
            lines=lines,
            payments=payments,
            notes=list(claim.notes.all()),
            denial=selectors.denial_words(claim)
            if claim.status in ("denied", "partially_paid")
            else "",
            can_change=can_change,
            can_edit_lines=can_edit_lines,
            # The service refuses these too: a claim keeps one line, and lines
            # that payments were posted to stay.
            can_remove_lines=can_edit_lines and len(lines) > 1 and not payments,
            can_correct=can_change
            and claim.status in ("accepted", "paid", "partially_paid", "denied"),
            note_form=kwargs.pop("note_form", None) or NoteForm(),
            assign_form=kwargs.pop("assign_form", None)
            or AssignForm(initial={"user": claim.assigned_to_id}),
            edit_form=kwargs.pop("edit_form", None)
            or ClaimEditForm(initial={"place_of_service": claim.place_of_service}),
            **kwargs,
        )


class ClaimActionView(ClaimMixin, BillingActionView):
    """A one-button action on a claim (POST only); back to the claim."""

    permission_required = CHANGE_CLAIMS

    def get_back_url(self) -> str:
        return self.claim.get_absolute_url()


class ClaimReadyView(ClaimActionView):
    success_message = gettext_lazy(
        "The claim passed the scrubber and is ready to submit."
    )
    service = staticmethod(services.claim_mark_ready)


class ClaimScrubView(ClaimActionView):
    success_message = gettext_lazy("The scrubber ran again.")

    def perform(self):
        services.claim_scrub(claim=self.claim)
        return self.claim


class ClaimCorrectView(ClaimActionView):
    success_message = gettext_lazy(
        "A corrected claim (frequency 7) was created: edit it, then submit."
    )
    service = staticmethod(services.claim_correct)


class ClaimPageFormView(ClaimMixin, FormOnPageMixin, ServiceFormMixin, FormView):
    """A form posted from the claim's page."""

    permission_required = CHANGE_CLAIMS
    page_view_class = ClaimDetailView
    page_record = "claim"


class ClaimAssignView(ClaimPageFormView):
    form_class = AssignForm
    context_form_name = "assign_form"
    success_message = gettext_lazy("Assignment saved.")
    service = staticmethod(services.claim_assign)


class ClaimNoteView(ClaimPageFormView):
    form_class = NoteForm
    context_form_name = "note_form"
    success_message = gettext_lazy("Note added.")
    invalid_message = gettext_lazy("A note needs some text.")

    def perform(self, form):
        services.claim_note_add(
            claim=self.claim, text=form.cleaned_data["text"], actor=self.request.user
        )
        return self.claim


class ClaimEditView(ClaimPageFormView):
    form_class = ClaimEditForm
    context_form_name = "edit_form"
    success_message = gettext_lazy("Claim saved; the scrubber ran again.")
    invalid_message = gettext_lazy("The claim was not saved: see the form.")
    service = staticmethod(services.claim_update)


class ClaimReasonView(ClaimPageMixin, TitledPageMixin, ServiceFormMixin, FormView):
    """Void or close: a reason is asked and kept in the history."""

    permission_required = CHANGE_CLAIMS
    template_name = "billing/claim_action.html"
    form_class = ReasonForm
    button = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "submit_label": self.button}


class ClaimVoidView(ClaimReasonView):
    title = gettext_lazy("Void the claim")
    button = gettext_lazy("Void claim")
    success_message = gettext_lazy("A void (frequency 8) is ready to submit.")
    service = staticmethod(services.claim_void)


class ClaimCloseView(ClaimReasonView):
    title = gettext_lazy("Close the claim")
    button = gettext_lazy("Close claim")
    success_message = gettext_lazy("The claim is closed.")
    service = staticmethod(services.claim_close)


class SubmitReviewView(RoleRequiredMixin, ListAccessLogMixin, ListView):
    """The claims the next batch would carry, with count and total, before a
    biller confirms (the confirm button posts exactly these)."""

    permission_required = "billing.submit_claim"
    template_name = "billing/submit_review.html"
    context_object_name = "claims"
    access_what = "claims to submit"

    def get_queryset(self):
        return selectors.claims_ready_to_submit()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(tab="claims", **kwargs)
        claims = context["claims"]
        context["total"] = sum((c.total_charge for c in claims), Decimal("0.00"))
        return context


class SubmitView(RoleRequiredMixin, BillingActionView):
    """Sends the claims of the review (``claim`` ids); those no longer ready stay
    behind, each named in a message."""

    permission_required = "billing.submit_claim"

    def perform(self):
        ids = [pk for pk in self.request.POST.getlist("claim") if pk.isdigit()]
        result = services.claims_submit_reviewed(actor=self.request.user, claim_ids=ids)
        for text in result.left_out:
            messages.warning(self.request, text)
        return result

    def get_success_message(self, result) -> str:
        if result.batch is None:
            return ""
        return _(
            "Batch %(n)s with %(c)d claim(s) is on its way to the clearinghouse."
        ) % {
            "n": f"{result.batch.isa_control_number:09d}",
            "c": result.batch.claim_count,
        }

    def get_redirect_url(self, result=None) -> str:
        if result is not None and result.batch is not None:
            return result.batch.get_absolute_url()
        return reverse("billing:submit-review")


class WorkQueueView(RoleRequiredMixin, ListAccessLogMixin, ListView):
    permission_required = VIEW_CLAIMS
    template_name = "billing/work_queue.html"
    context_object_name = "claims"
    paginate_by = 25
    access_what = "billing work queue"

    def get_queryset(self):
        self.queue = self.request.GET.get("queue", "errors")
        if self.queue not in selectors.QUEUES:
            self.queue = "errors"
        mine = self.request.GET.get("mine") == "1"
        return selectors.work_queue(
            queue=self.queue, assigned_to=self.request.user if mine else None
        ).prefetch_related("payments")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for claim in context["claims"]:
            claim.denial = (
                selectors.denial_words(claim) if self.queue == "denied" else ""
            )
        counts = selectors.work_queue_counts()
        tabs = [
            {
                "key": key,
                "label": label.format(days=settings.BILLING_UNPAID_DAYS),
                "count": counts[key],
            }
            for key, label in selectors.QUEUES.items()
        ]
        context.update(
            queue=self.queue,
            tabs=tabs,
            querystring=querystring(self.request),
            tab="queues",
        )
        return context
