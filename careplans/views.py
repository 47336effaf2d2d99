"""The care-plan pages: a patient's problem list, a plan made from a starter, a
plan's page (done / due / overdue, the goals' trends, its review), an activity
added, an education contact recorded."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from careplans import selectors, services
from careplans.forms import (
    ActivityForm,
    EducationForm,
    PlanFromStarterForm,
    PlanReviewForm,
    ProblemForm,
)
from careplans.models import PlanActivity, Problem
from careplans.progress import plan_states
from careplans.starters import BY_SLUG
from careplans.trend import goal_chart
from clinic.edges import PostActionView, ServiceFormMixin
from clinic.mixins import PatientAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from registration.banner import PatientBannerMixin
from registration.models import Patient

FORM_PAGE = "careplans/form_page.html"
VIEW_PROBLEMS = "careplans.view_problem"
ADD_PROBLEM = "careplans.add_problem"
CHANGE_PROBLEM = "careplans.change_problem"
VIEW_PLAN = "careplans.view_careplan"
ADD_PLAN = "careplans.add_careplan"
CHANGE_PLAN = "careplans.change_careplan"
ADD_ACTIVITY = "careplans.add_planactivity"
ADD_EDUCATION = "careplans.add_educationcontact"


class PatientPageMixin(RoleRequiredMixin, PatientAccessLogMixin, PatientBannerMixin):
    """A care-plan page about one patient; ``post_permission`` guards its form."""

    post_permission = ""

    def get_access_object(self):
        return self.patient

    def post(self, request, *args, **kwargs):
        if self.post_permission and not request.user.has_perm(self.post_permission):
            return self.handle_no_permission()
        return super().post(request, *args, **kwargs)


class ProblemListView(PatientPageMixin, ServiceFormMixin, FormView):
    permission_required = VIEW_PROBLEMS
    post_permission = ADD_PROBLEM
    template_name = "careplans/problem_list.html"
    form_class = ProblemForm
    access_what = "problem list"

    def dispatch(self, request, *args, **kwargs):
        self.patient = get_object_or_404(Patient, pk=kwargs["patient_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            patient=self.patient,
            problems=selectors.patient_problems(patient=self.patient),
            plans=selectors.patient_plans(patient=self.patient),
            can_add=user.has_perm(ADD_PROBLEM),
            can_plan=user.has_perm(ADD_PLAN),
            **kwargs,
        )

    def perform(self, form):
        return services.problem_add(
            patient=self.patient, actor=self.request.user, **form.cleaned_data
        )

    def get_success_message(self, problem) -> str:
        return _("%(problem)s is on the problem list.") % {"problem": problem}


class ProblemResolveView(RoleRequiredMixin, PostActionView):
    permission_required = CHANGE_PROBLEM

    def perform(self):
        self.problem = get_object_or_404(Problem, pk=self.kwargs["pk"])
        return services.problem_resolve(problem=self.problem, actor=self.request.user)

    def get_success_message(self, problem) -> str:
        return _("%(problem)s is resolved.") % {"problem": problem}

    def get_redirect_url(self, result=None) -> str:
        return reverse("careplans:problems", args=[self.problem.patient_id])


class PlanCreateView(PatientPageMixin, ServiceFormMixin, FormView):
    """A plan for a problem, copied from a starter."""

    permission_required = ADD_PLAN
    template_name = FORM_PAGE
    form_class = PlanFromStarterForm
    access_what = "new care plan"

    def dispatch(self, request, *args, **kwargs):
        self.problem = get_object_or_404(
            Problem.objects.select_related("patient"), pk=kwargs["pk"]
        )
        self.patient = self.problem.patient
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "problem": self.problem}

    def get_initial(self):
        return {"responsible": self.request.user.pk}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=_("New care plan"),
            back_url=reverse("careplans:problems", args=[self.patient.pk]),
            back_label=str(self.problem),
            intro=_(
                "The starter's goals and activities are copied; change them on the "
                "plan's page."
            ),
            **kwargs,
        )

    def perform(self, form):
        data = form.cleaned_data
        return services.plan_from_starter(
            problem=self.problem,
            starter=BY_SLUG[data["starter"]],
            responsible=data["responsible"],
            actor=self.request.user,
            start_date=data["start_date"],
        )

    def get_success_message(self, plan) -> str:
        return _("Plan made: %(plan)s.") % {"plan": plan}


class PlanDetailView(PatientPageMixin, ServiceFormMixin, FormView):
    """One plan at a glance: what is done, due and overdue; goals and their trend;
    the review (clinicians)."""

    permission_required = VIEW_PLAN
    post_permission = CHANGE_PLAN
    template_name = "careplans/plan_detail.html"
    form_class = PlanReviewForm
    access_what = "care plan"

    def dispatch(self, request, *args, **kwargs):
        self.plan = get_object_or_404(selectors.plans_with_people(), pk=kwargs["pk"])
        self.patient = self.plan.patient
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"review_date": self.plan.review_date, "status": self.plan.status}

    def get_context_data(self, **kwargs):
        user = self.request.user
        state = plan_states([self.plan])[0]
        return super().get_context_data(
            plan=self.plan,
            state=state,
            goals=[(goal, goal_chart(goal)) for goal in state.goals],
            can_review=user.has_perm(CHANGE_PLAN),
            can_add_activity=user.has_perm(ADD_ACTIVITY),
            can_record_education=user.has_perm(ADD_EDUCATION),
            **kwargs,
        )

    def perform(self, form):
        return services.plan_review(
            plan=self.plan, actor=self.request.user, **form.cleaned_data
        )

    def get_success_message(self, plan) -> str:
        return _("Review recorded; next review by %(day)s.") % {"day": plan.review_date}


class ActivityCreateView(PatientPageMixin, ServiceFormMixin, FormView):
    permission_required = ADD_ACTIVITY
    template_name = FORM_PAGE
    form_class = ActivityForm
    access_what = "new plan activity"

    def dispatch(self, request, *args, **kwargs):
        self.plan = get_object_or_404(selectors.plans_with_people(), pk=kwargs["pk"])
        self.patient = self.plan.patient
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=_("New plan activity"),
            back_url=self.plan.get_absolute_url(),
            back_label=self.plan.title,
            **kwargs,
        )

    def perform(self, form):
        services.activity_add(
            plan=self.plan, actor=self.request.user, **form.cleaned_data
        )
        return self.plan

    def get_success_message(self, plan) -> str:
        return _("Activity added.")


class EducationRecordView(PatientPageMixin, ServiceFormMixin, FormView):
    permission_required = ADD_EDUCATION
    template_name = FORM_PAGE
    form_class = EducationForm
    access_what = "education contact"

    def dispatch(self, request, *args, **kwargs):
        self.activity = get_object_or_404(
            PlanActivity.objects.select_related("plan__patient"),
            pk=kwargs["pk"],
            kind=PlanActivity.Kind.EDUCATION,
        )
        self.patient = self.activity.plan.patient
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        plan = self.activity.plan
        return super().get_context_data(
            heading=_("Education contact"),
            back_url=plan.get_absolute_url(),
            back_label=plan.title,
            **kwargs,
        )

    def perform(self, form):
        services.education_record(
            activity=self.activity, actor=self.request.user, **form.cleaned_data
        )
        return self.activity.plan

    def get_success_message(self, plan) -> str:
        return _("Education contact recorded.")
