"""The front desk's intake pages: the list waiting for review, one intake's items
(the record's value beside the patient's) decided one by one, its card photos."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from clinic.edges import FilteredListMixin, PostActionView
from clinic.mixins import ListAccessLogMixin, PatientAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from registration.banner import PatientBannerMixin
from registration.card_files import SIDES, card_response
from selfservice.forms import DecideForm, IntakeFilterForm
from selfservice.models import Intake
from selfservice.selectors import intake_list, intake_review_rows
from selfservice.services import intake_decide

VIEW = "selfservice.view_intake"
DECIDE = "selfservice.change_intake"


class IntakeListView(
    ListAccessLogMixin, RoleRequiredMixin, FilteredListMixin, ListView
):
    permission_required = VIEW
    template_name = "selfservice/intake_list.html"
    context_object_name = "intakes"
    paginate_by = 25
    filter_form_class = IntakeFilterForm
    access_what = "intakes to review"

    def get_queryset(self):
        return intake_list(**self.filter_arguments("status", q="query"))


class IntakeReviewView(
    PatientAccessLogMixin, RoleRequiredMixin, PatientBannerMixin, DetailView
):
    permission_required = VIEW
    template_name = "selfservice/intake_review.html"
    access_what = "intake review"
    queryset = Intake.objects.select_related(
        "patient", "appointment__appointment_type", "appointment__provider"
    )

    def get_banner_patient(self):
        return self.object.patient

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            rows=intake_review_rows(intake=self.object),
            cards=[side for side in SIDES if getattr(self.object, f"card_{side}")],
            **kwargs,
        )


class IntakeDecideView(RoleRequiredMixin, PostActionView):
    """Accept or decline one item; an accepted one is written by its owner."""

    permission_required = DECIDE

    def perform(self):
        self.intake = get_object_or_404(Intake, pk=self.kwargs["pk"])
        form = DecideForm(self.request.POST)
        if not form.is_valid():
            raise Http404
        return intake_decide(
            intake=self.intake,
            key=form.cleaned_data["key"],
            accept=form.cleaned_data["accept"],
            actor=self.request.user,
        )

    def get_success_message(self, result) -> str:
        return _("Saved.")

    def get_redirect_url(self, result=None) -> str:
        return self.intake.get_absolute_url()


class IntakeCardView(RoleRequiredMixin, View):
    """A card photo the patient sent, to staff only, with an access-log row."""

    permission_required = VIEW

    def get(self, request, pk, side):
        intake = get_object_or_404(Intake.objects.select_related("patient"), pk=pk)
        return card_response(request, intake, side, what="intake insurance card")
