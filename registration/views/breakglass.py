"""Restricted records: marking a patient restricted, breaking the glass, and the
administrators' sign-off of break-glass access."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import FormView

from clinic.edges import FilteredListMixin, ServiceFormMixin
from clinic.mixins import ListAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from clinic.services import access_log_request
from registration import breakglass
from registration.forms import (
    BreakGlassForm,
    RestrictionForm,
    ReviewFilterForm,
    SignOffForm,
)
from registration.models import Patient
from registration.restriction import grants_for_review, live_grant, with_pages

PAGE_SIZE = 50


def _safe_next(request, fallback: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return fallback


class BreakGlassView(RoleRequiredMixin, ServiceFormMixin, FormView):
    """Open a restricted patient's record: a reason from the list and in words, a
    confirmation; gives one hour on this patient."""

    permission_required = "registration.view_patient"
    template_name = "registration/break_glass.html"
    form_class = BreakGlassForm

    def dispatch(self, request, *args, **kwargs):
        self.patient = get_object_or_404(Patient, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        target = _safe_next(request, self.patient.get_absolute_url())
        if not self.patient.restriction:
            return redirect(target)
        grant = live_grant(user=request.user, patient_id=self.patient.pk)
        if grant is not None:
            messages.info(
                request,
                _("You already have access to this record until %(time)s.")
                % {"time": f"{timezone.localtime(grant.expires_at):%H:%M}"},
            )
            return redirect(target)
        access_log_request(
            request,
            patient=self.patient,
            obj=self.patient,
            what="restricted record: asked for a reason",
        )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            patient_id=self.patient.pk,
            mrn=self.patient.mrn,
            next=_safe_next(self.request, ""),
            **kwargs,
        )

    def perform(self, form):
        self.grant = breakglass.break_glass(
            patient=self.patient,
            reason=form.cleaned_data["reason"],
            reason_text=form.cleaned_data["reason_text"],
            actor=self.request.user,
            request=self.request,
        )
        return self.grant

    def form_valid(self, form):
        response = super().form_valid(form)
        if response.status_code == 302:
            # A warning, not a success: the access is logged and reviewed.
            messages.warning(
                self.request,
                _(
                    "Access to this restricted record until %(time)s. It is logged "
                    "and an administrator reviews it."
                )
                % {"time": f"{timezone.localtime(self.grant.expires_at):%H:%M}"},
            )
        return response

    def get_result_url(self, grant) -> str:
        return _safe_next(self.request, self.patient.get_absolute_url())


class RestrictionView(RoleRequiredMixin, ServiceFormMixin, FormView):
    """Mark a patient restricted (front desk, administrators) or lift / change it
    (administrators). Shows the name and MRN only, so that an administrator can
    lift a restriction without breaking the glass."""

    permission_required = "registration.restrict_patient"
    template_name = "registration/restriction.html"
    form_class = RestrictionForm
    service = staticmethod(breakglass.patient_set_restriction)

    def dispatch(self, request, *args, **kwargs):
        self.patient = get_object_or_404(Patient, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def may_lift(self) -> bool:
        return self.request.user.has_perm("registration.unrestrict_patient")

    def has_permission(self) -> bool:
        if not super().has_permission():
            return False
        if self.patient.restriction and not self.may_lift():
            raise PermissionDenied(breakglass.RESTRICTION_ONLY_ADMINISTRATORS)
        return True

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "may_lift": self.may_lift(),
            "initial": {"restriction": self.patient.restriction},
        }

    def get_context_data(self, **kwargs):
        access_log_request(
            self.request, patient=self.patient, obj=self.patient, what="restriction"
        )
        return super().get_context_data(patient=self.patient, **kwargs)

    def get_service_kwargs(self) -> dict:
        return {"patient": self.patient}

    def get_success_message(self, patient) -> str:
        if patient.restriction:
            return _("%(mrn)s is restricted: %(kind)s.") % {
                "mrn": patient.mrn,
                "kind": patient.get_restriction_display(),
            }
        return _("%(mrn)s is no longer restricted.") % {"mrn": patient.mrn}

    def get_result_url(self, patient) -> str:
        return reverse("registration:patient-restriction", args=[patient.pk])


class RestrictedAccessReviewView(
    ListAccessLogMixin, RoleRequiredMixin, FilteredListMixin, ServiceFormMixin, FormView
):
    """Break-glass accesses with the pages each opened; an administrator signs off
    one or a batch with a note."""

    permission_required = "registration.review_breakglassgrant"
    template_name = "registration/restricted_access_review.html"
    form_class = SignOffForm
    access_what = "restricted access review"
    filter_form_class = ReviewFilterForm

    def get_context_data(self, **kwargs):
        data = self.get_filters()
        status = data.get("status") or "unreviewed"
        rows = grants_for_review(
            status="" if status == "all" else status,
            username=(data.get("user") or "").strip(),
        )
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page_obj=page,
            grants=with_pages(list(page.object_list)),
            now=timezone.now(),
            chosen={str(pk) for pk in self.request.POST.getlist("grants")},
            **kwargs,
        )

    def perform(self, form):
        return breakglass.grants_sign_off(
            grant_ids=self.request.POST.getlist("grants"),
            note=form.cleaned_data["note"],
            actor=self.request.user,
        )

    def get_success_message(self, count) -> str:
        return _("%(n)d access(es) signed off.") % {"n": count}

    def get_result_url(self, count) -> str:
        return self.request.get_full_path()
