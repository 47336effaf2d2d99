"""Forms of the care-plan pages (validation and the crispy layout)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from careplans.models import CarePlan, PlanActivity
from careplans.starters import starters_for
from clinic.fields import date_field, form_row
from clinic.permissions import CLINICIAN
from diagnostics.models import TestDefinition
from scheduling.models import AppointmentType


def _helper(label: str, *rows) -> FormHelper:
    helper = FormHelper()
    if rows:
        helper.layout = Layout(*rows)
    helper.add_input(Submit("submit", label))
    return helper


class ProblemForm(forms.Form):
    code = forms.CharField(label=_("ICD-10-CM"), max_length=8)
    description = forms.CharField(label=_("Condition"), max_length=250)
    onset_date = date_field(_("Onset"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            _("Add to the problem list"),
            form_row(code=2, description=6, onset_date=4),
        )


def clinicians():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=CLINICIAN)
        .order_by("username")
    )


class PlanFromStarterForm(forms.Form):
    starter = forms.ChoiceField(label=_("Starter"))
    responsible = forms.ModelChoiceField(
        label=_("Responsible clinician"), queryset=None
    )
    start_date = date_field(_("Start"))

    def __init__(self, *args, problem, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starter"].choices = [
            (s.slug, s.title) for s in starters_for(problem.code)
        ]
        self.fields["responsible"].queryset = clinicians()
        self.helper = _helper(
            _("Make the plan"), form_row(starter=6, responsible=3, start_date=3)
        )


class PlanReviewForm(forms.Form):
    review_date = date_field(_("Next review"), required=True)
    status = forms.ChoiceField(label=_("Status"), choices=CarePlan.Status.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Record the review"), form_row(review_date=6, status=6))


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Activity"), choices=PlanActivity.Kind.choices)
    appointment_type = forms.ModelChoiceField(
        label=_("Visit type"),
        queryset=AppointmentType.objects.filter(is_active=True),
        required=False,
    )
    test = forms.ModelChoiceField(
        label=_("Test"),
        queryset=TestDefinition.objects.filter(active=True),
        required=False,
    )
    every = forms.IntegerField(label=_("Every"), min_value=1, max_value=104)
    unit = forms.ChoiceField(label=_("Unit"), choices=PlanActivity.Unit.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            _("Add the activity"),
            form_row(kind=3, appointment_type=3, test=2, every=2, unit=2),
        )


class EducationForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=120)
    done_on = date_field(_("Given on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Record the contact"), form_row(topic=8, done_on=4))
