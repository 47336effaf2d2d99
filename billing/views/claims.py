"""Claim pages: the list, one claim, its actions, the work queues, submission."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from billing import selectors, services
from billing.exceptions import BillingError
from billing.forms import (
    AssignForm,
    ClaimEditForm,
    ClaimFilterForm,
    NoteForm,
    ReasonForm,
)
from billing.models import Claim
from billing.services.submission import NOTHING_READY
from billing.views.common import (
    CHANGE_CLAIMS,
    VIEW_CLAIMS,
    ClaimMixin,
    log_patient_access,
    querystring,
    run_action,
)
from clinic.mixins import ListAccessLogMixin
from clinic.permissions import RoleRequiredMixin


class ClaimListView(RoleRequiredMixin, ListAccessLogMixin, ListView):
    permission_required = VIEW_CLAIMS
    template_name = "billing/claim_list.html"
    context_object_name = "claims"
    paginate_by = 25
    access_what = "claim list"

    def get_queryset(self):
        self.filter_form = ClaimFilterForm(self.request.GET or None)
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        payer = data.get("payer")
        return selectors.claim_list(
            query=data.get("q", ""),
            status=data.get("status", ""),
            payer_id=payer.pk if payer else None,
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form,
            querystring=querystring(self.request),
            ready_count=Claim.objects.filter(status="ready").count(),
            tab="claims",
            **kwargs,
        )


class ClaimDetailView(ClaimMixin, TemplateView):
    permission_required = VIEW_CLAIMS
    template_name = "billing/claim_detail.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        log_patient_access(
            request, patient=self.claim.patient, obj=self.claim, what="claim"
        )
        return response

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
            note_form=NoteForm(),
            assign_form=AssignForm(initial={"user": claim.assigned_to_id}),
            edit_form=ClaimEditForm(
                initial={"place_of_service": claim.place_of_service}
            ),
            **kwargs,
        )


class ClaimPostView(ClaimMixin, View):
    """A one-button action on a claim (POST only)."""

    permission_required = CHANGE_CLAIMS
    http_method_names = ["post"]
    success = ""

    def act(self):
        raise NotImplementedError

    def post(self, request, pk):
        return run_action(request, self.act, self.success, self.claim)


class ClaimReadyView(ClaimPostView):
    success = _("The claim passed the scrubber and is ready to submit.")

    def act(self):
        return services.claim_mark_ready(claim=self.claim, actor=self.request.user)


class ClaimScrubView(ClaimPostView):
    success = _("The scrubber ran again.")

    def act(self):
        services.claim_scrub(claim=self.claim)
        return self.claim


class ClaimCorrectView(ClaimPostView):
    success = _("A corrected claim (frequency 7) was created: edit it, then submit.")

    def act(self):
        return services.claim_correct(claim=self.claim, actor=self.request.user)


class ClaimAssignView(ClaimPostView):
    def post(self, request, pk):
        form = AssignForm(request.POST)
        if form.is_valid():
            user = form.cleaned_data["user"]
            services.claim_assign(claim=self.claim, user=user, actor=request.user)
            messages.success(request, _("Assignment saved."))
        return redirect(self.claim)


class ClaimNoteView(ClaimPostView):
    def post(self, request, pk):
        form = NoteForm(request.POST)
        if form.is_valid():
            services.claim_note_add(
                claim=self.claim, text=form.cleaned_data["text"], actor=request.user
            )
            messages.success(request, _("Note added."))
        else:
            messages.error(request, _("A note needs some text."))
        return redirect(self.claim)


class ClaimEditView(ClaimPostView):
    def post(self, request, pk):
        form = ClaimEditForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("place_of_service", [])))
            return redirect(self.claim)
        return run_action(
            request,
            lambda: services.claim_update(
                claim=self.claim, actor=request.user, **form.cleaned_data
            ),
            _("Claim saved; the scrubber ran again."),
            self.claim,
        )


class ClaimReasonView(ClaimMixin, FormView):
    """Void or close: a reason is asked and kept in the history."""

    permission_required = CHANGE_CLAIMS
    template_name = "billing/claim_action.html"
    form_class = ReasonForm
    title = ""
    button = ""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        log_patient_access(
            request, patient=self.claim.patient, obj=self.claim, what="claim"
        )
        return response

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "submit_label": self.button}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.title, **kwargs)

    def form_valid(self, form):
        try:
            result = self.act(form.cleaned_data["reason"])
        except BillingError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, self.success)
        return redirect(result)


class ClaimVoidView(ClaimReasonView):
    title = _("Void the claim")
    button = _("Void claim")
    success = _("A void (frequency 8) is ready to submit.")

    def act(self, reason):
        return services.claim_void(
            claim=self.claim, actor=self.request.user, reason=reason
        )


class ClaimCloseView(ClaimReasonView):
    title = _("Close the claim")
    button = _("Close claim")
    success = _("The claim is closed.")

    def act(self, reason):
        return services.claim_close(
            claim=self.claim, actor=self.request.user, reason=reason
        )


class SubmitView(RoleRequiredMixin, View):
    permission_required = "billing.submit_claim"
    http_method_names = ["post"]

    def post(self, request):
        batch = services.claims_submit(actor=request.user)
        if batch is None:
            messages.warning(request, _(NOTHING_READY))
            return redirect("billing:claim-list")
        messages.success(
            request,
            _("Batch %(n)s with %(c)d claim(s) is on its way to the clearinghouse.")
            % {"n": f"{batch.isa_control_number:09d}", "c": batch.claim_count},
        )
        return redirect(batch)


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
        from django.conf import settings

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
