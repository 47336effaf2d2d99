"""The care-plan pages: a patient's problem list, a plan made from a starter, a
plan's page (done / due / overdue, the goals' trends, its review), an activity
added, an education contact recorded."""

from django.shortcuts import get_object_or_404
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
from registration.banner import PatientBannerMixin, UrlPatientMixin
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


class PatientPageMixin(
    UrlPatientMixin,
    RoleRequiredMixin,
    PatientAccessLogMixin,
    PatientBannerMixin,
    ServiceFormMixin,
    FormView,
):
    """A care-plan page about one patient with a form (``load_patient`` reads the
    record the URL names and returns its patient); ``post_permission`` guards the
    form."""

    post_permission = ""

    def post(self, request, *args, **kwargs):
        if self.post_permission and not request.user.has_perm(self.post_permission):
            return self.handle_no_permission()
        return super().post(request, *args, **kwargs)

    def can(self, **perms) -> dict:
        """``can_x=True/False`` for each ``x=permission``, for the template."""
        user = self.request.user
        return {f"can_{name}": user.has_perm(perm) for name, perm in perms.items()}


class PlanFormPage(PatientPageMixin):
    """A form page about a plan (``careplans/form_page.html``): ``heading``,
    ``intro`` and ``back()`` = (the URL, the label) of the page it belongs to."""

    template_name = FORM_PAGE
    heading = ""
    intro = ""

    def back(self) -> tuple[str, str]:
        return self.plan.get_absolute_url(), self.plan.title

    def get_context_data(self, **kwargs):
        back_url, back_label = self.back()
        if self.intro:
            kwargs.setdefault("intro", self.intro)
        return super().get_context_data(
            heading=self.heading, back_url=back_url, back_label=back_label, **kwargs
        )

    def get_result_url(self, result) -> str:
        return self.plan.get_absolute_url()


class OnePlanMixin:
    """A page about the plan its URL names, which its service is given."""

    def load_patient(self, kwargs) -> Patient:
        self.plan = get_object_or_404(selectors.plans_with_people(), pk=kwargs["pk"])
        return self.plan.patient

    def get_service_kwargs(self) -> dict:
        return {"plan": self.plan}


class ProblemListView(PatientPageMixin):
    permission_required = VIEW_PROBLEMS
    post_permission = ADD_PROBLEM
    template_name = "careplans/problem_list.html"
    form_class = ProblemForm
    access_what = "problem list"
    service = staticmethod(services.problem_add)
    patient_kwarg = "patient_pk"

    def get_service_kwargs(self) -> dict:
        return {"patient": self.patient}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            patient=self.patient,
            problems=selectors.patient_problems(patient=self.patient),
            plans=selectors.patient_plans(patient=self.patient),
            **self.can(add=ADD_PROBLEM, plan=ADD_PLAN),
            **kwargs,
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
        return self.problem.get_absolute_url()


class PlanCreateView(PlanFormPage):
    """A plan for a problem, copied from a starter."""

    permission_required = ADD_PLAN
    form_class = PlanFromStarterForm
    access_what = "new care plan"
    heading = _("New care plan")
    intro = _(
        "The starter's goals and activities are copied; change them on the plan's page."
    )

    def load_patient(self, kwargs) -> Patient:
        self.problem = get_object_or_404(
            Problem.objects.select_related("patient"), pk=kwargs["pk"]
        )
        return self.problem.patient

    def back(self) -> tuple[str, str]:
        return self.problem.get_absolute_url(), str(self.problem)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "problem": self.problem}

    def get_initial(self):
        return {"responsible": self.request.user.pk}

    def perform(self, form):
        data = form.cleaned_data
        return services.plan_from_starter(
            problem=self.problem,
            starter=BY_SLUG[data["starter"]],
            responsible=data["responsible"],
            actor=self.request.user,
            start_date=data["start_date"],
        )

    def get_result_url(self, plan) -> str:
        return plan.get_absolute_url()

    def get_success_message(self, plan) -> str:
        return _("Plan made: %(plan)s.") % {"plan": plan}


class PlanDetailView(OnePlanMixin, PatientPageMixin):
    """One plan at a glance: what is done, due and overdue; goals and their trend;
    the review (clinicians)."""

    permission_required = VIEW_PLAN
    post_permission = CHANGE_PLAN
    template_name = "careplans/plan_detail.html"
    form_class = PlanReviewForm
    access_what = "care plan"
    service = staticmethod(services.plan_review)

    def get_initial(self):
        return {"review_date": self.plan.review_date, "status": self.plan.status}

    def get_context_data(self, **kwargs):
        state = plan_states([self.plan])[0]
        return super().get_context_data(
            plan=self.plan,
            state=state,
            goals=[(goal, goal_chart(goal)) for goal in state.goals],
            **self.can(
                review=CHANGE_PLAN,
                add_activity=ADD_ACTIVITY,
                record_education=ADD_EDUCATION,
            ),
            **kwargs,
        )

    def get_success_message(self, plan) -> str:
        return _("Review recorded; next review by %(day)s.") % {"day": plan.review_date}


class ActivityCreateView(OnePlanMixin, PlanFormPage):
    permission_required = ADD_ACTIVITY
    form_class = ActivityForm
    access_what = "new plan activity"
    heading = _("New plan activity")
    success_message = _("Activity added.")
    service = staticmethod(services.activity_add)


class EducationRecordView(PlanFormPage):
    permission_required = ADD_EDUCATION
    form_class = EducationForm
    access_what = "education contact"
    heading = _("Education contact")
    success_message = _("Education contact recorded.")
    service = staticmethod(services.education_record)

    def load_patient(self, kwargs) -> Patient:
        self.activity = get_object_or_404(
            PlanActivity.objects.select_related("plan__patient"),
            pk=kwargs["pk"],
            kind=PlanActivity.Kind.EDUCATION,
        )
        self.plan = self.activity.plan
        return self.plan.patient

    def get_service_kwargs(self) -> dict:
        return {"activity": self.activity}
