"""Forms of the automation editor: every choice comes from a list."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts.kinds import ASSIGNABLE_ROLES
from automations.facts import AGE_BANDS
from automations.models import (
    Action,
    Automation,
    AutomationRun,
    Condition,
    RecallList,
    Trigger,
)
from automations.sources import choices_for, visit_model
from automations.texts import PLACEHOLDERS, TemplateError, check_text
from clinic.fields import date_field, optional_choice
from registration.models import Patient, Payer
from registration.selectors import patient_by_mrn

F = Condition.Field
K = Action.Kind

WEEKDAYS = [
    ("0", _("Mon")),
    ("1", _("Tue")),
    ("2", _("Wed")),
    ("3", _("Thu")),
    ("4", _("Fri")),
    ("5", _("Sat")),
    ("6", _("Sun")),
]
BEFORE_AFTER = [("before", _("before the start")), ("after", _("after the start"))]
PLACEHOLDER_HELP = _("You may use: %(names)s") % {
    "names": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
}


class AutomationForm(forms.ModelForm):
    offset_hours = forms.DecimalField(
        label=_("Hours"),
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
        help_text=_("For “time before / after an appointment”."),
    )
    offset_direction = forms.ChoiceField(
        label=_("Before or after"), choices=BEFORE_AFTER, required=False
    )
    weekdays = forms.MultipleChoiceField(
        label=_("On days"),
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For “daily schedule”."),
    )

    class Meta:
        model = Automation
        fields = ["name", "description", "trigger", "match", "run_at"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "run_at": forms.TimeInput(attrs={"type": "time"}),
        }
        help_texts = {"run_at": _("For “daily schedule”: local time.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offset = self.instance.offset_minutes
        if offset is not None and not self.is_bound:
            self.initial["offset_hours"] = abs(offset) / 60
            self.initial["offset_direction"] = "before" if offset < 0 else "after"
        if not self.is_bound:
            self.initial["weekdays"] = list(self.instance.weekdays or "")
        self.helper = FormHelper()
        self.helper.form_id = "automation-form"
        self.helper.add_input(Submit("save", _("Save")))

    def clean(self):
        data = super().clean()
        trigger = data.get("trigger")
        hours = data.get("offset_hours")
        if trigger == Trigger.APPOINTMENT_TIME:
            if not hours:
                self.add_error(
                    "offset_hours", _("Say how many hours before or after the start.")
                )
            elif not data.get("offset_direction"):
                self.add_error("offset_direction", _("Choose before or after."))
        if trigger == Trigger.DAILY:
            if data.get("run_at") is None:
                self.add_error("run_at", _("Choose the time of day."))
            if not data.get("weekdays"):
                self.add_error("weekdays", _("Choose at least one day."))
        return data

    def save(self, commit=True):
        automation = super().save(commit=False)
        data = self.cleaned_data
        if data["trigger"] == Trigger.APPOINTMENT_TIME and data.get("offset_hours"):
            minutes = int(data["offset_hours"] * 60)
            automation.offset_minutes = (
                -minutes if data["offset_direction"] == "before" else minutes
            )
        else:
            automation.offset_minutes = None
        automation.weekdays = "".join(sorted(data.get("weekdays") or []))
        if commit:
            automation.save()
        return automation


def value_choices(field: str) -> list[tuple[str, str]]:
    """What a condition on ``field`` may choose from."""
    if field in (F.APPOINTMENT_TYPE, F.PROVIDER, F.LOCATION, F.RESULT_FLAG):
        return choices_for(field)  # the app that owns them registered them
    if field == F.PAYER:
        rows = Payer.objects.filter(is_active=True).order_by("name")
        return [(str(pk), name) for pk, name in rows.values_list("pk", "name")]
    if field == F.AGE_BAND:
        return [(code, label) for code, label, _low, _high in AGE_BANDS]
    if field == F.LANGUAGE:
        found = set(
            Patient.objects.order_by()
            .values_list("preferred_language", flat=True)
            .distinct()[:100]
        )
        codes = sorted({code.lower() for code in found if code} | {"en", "es"})
        return [(code, code) for code in codes]
    if field == F.FIRST_VISIT:
        return [("yes", _("yes")), ("no", _("no"))]
    return []


NUMBER_FIELDS = {F.DAYS_SINCE_LAST_VISIT}


def _refresh_on_change(form_field, url: str, target: str) -> None:
    """htmx: choosing another fact / kind redraws the form with its own fields."""
    if url:
        form_field.widget.attrs.update(
            {
                "hx-get": url,
                "hx-trigger": "change",
                "hx-target": target,
                "hx-swap": "outerHTML",
                "hx-include": "this",
            }
        )


class ConditionForm(forms.Form):
    field = forms.ChoiceField(label=_("Fact"), choices=F.choices)
    operator = forms.ChoiceField(label=_("Test"), choices=Condition.Operator.choices)
    values = forms.MultipleChoiceField(
        label=_("Values"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    number = forms.IntegerField(label=_("Days"), required=False, min_value=0)

    def __init__(
        self, *args, field: str | None = None, refresh_url: str = "", **kwargs
    ):
        super().__init__(*args, **kwargs)
        _refresh_on_change(self.fields["field"], refresh_url, "#condition-form")
        chosen = field or self.data.get("field") or F.APPOINTMENT_TYPE
        if chosen not in F.values:
            chosen = F.APPOINTMENT_TYPE
        self.initial.setdefault("field", chosen)
        self.chosen = chosen
        OP = Condition.Operator
        if chosen in NUMBER_FIELDS:
            self.fields["operator"].choices = [
                (OP.AT_LEAST, OP.AT_LEAST.label),
                (OP.AT_MOST, OP.AT_MOST.label),
            ]
            del self.fields["values"]
        else:
            del self.fields["number"]
            self.fields["values"].choices = value_choices(chosen)
            if chosen == F.FIRST_VISIT:
                self.fields["operator"].choices = [(OP.IN, _("is"))]
                self.fields["values"] = forms.ChoiceField(
                    label=_("Value"),
                    choices=value_choices(chosen),
                    widget=forms.RadioSelect,
                )
            else:
                self.fields["operator"].choices = [
                    (OP.IN, OP.IN.label),
                    (OP.NOT_IN, OP.NOT_IN.label),
                ]

    def clean(self):
        data = super().clean()
        if self.chosen in NUMBER_FIELDS:
            if data.get("number") is None:
                self.add_error("number", _("Enter the number of days."))
        elif not data.get("values"):
            self.add_error("values", _("Choose at least one value."))
        return data

    def step_data(self) -> dict:
        data = self.cleaned_data
        values = data.get("values") or []
        if isinstance(values, str):
            values = [values]
        return {
            "field": data["field"],
            "operator": data["operator"],
            "values": list(values),
            "number": data.get("number"),
        }


ACTION_FIELDS = {
    K.CREATE_TASK: ["role", "user", "title", "due_in_hours"],
    K.RAISE_ALERT: ["role", "user", "title", "priority", "due_in_hours"],
    K.SEND_MESSAGE: ["channel", "title", "body"],
    K.CHECK_ELIGIBILITY: [],
    K.ADD_TO_RECALL: ["recall_list", "recall_in_days"],
    K.WAIT: ["wait_hours"],
}


class ActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Do"), choices=K.choices)
    role = optional_choice(_("For role"), "—", ((r, r) for r in ASSIGNABLE_ROLES))
    user = forms.ModelChoiceField(
        label=_("Or for a person"),
        required=False,
        queryset=get_user_model().objects.none(),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[(20, _("Normal")), (30, _("High")), (40, _("Urgent")), (10, _("Low"))],
    )
    due_in_hours = forms.DecimalField(
        label=_("Due in (hours)"), required=False, min_value=0, decimal_places=2
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=Action.Channel.choices
    )
    body = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    recall_list = forms.ModelChoiceField(
        label=_("Recall list"), required=False, queryset=RecallList.objects.all()
    )
    recall_in_days = forms.IntegerField(
        label=_("Recall due in (days)"), required=False, min_value=0
    )
    wait_hours = forms.DecimalField(
        label=_("Wait (hours)"), required=False, min_value=0, decimal_places=2
    )

    def __init__(self, *args, kind: str | None = None, refresh_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        _refresh_on_change(self.fields["kind"], refresh_url, "#action-form")
        chosen = kind or self.data.get("kind") or K.CREATE_TASK
        if chosen not in K.values:
            chosen = K.CREATE_TASK
        self.chosen = chosen
        self.initial.setdefault("kind", chosen)
        keep = {"kind", *ACTION_FIELDS[chosen]}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "user" in self.fields:
            self.fields["user"].queryset = (
                get_user_model().objects.filter(is_active=True).order_by("username")
            )
        if chosen == K.SEND_MESSAGE:
            self.fields["title"].label = _("E-mail subject")
            self.fields["body"].help_text = PLACEHOLDER_HELP
        elif "title" in self.fields:
            self.fields["title"].help_text = PLACEHOLDER_HELP

    def clean(self):
        data = super().clean()
        chosen = self.chosen
        if chosen in (K.CREATE_TASK, K.RAISE_ALERT):
            if not data.get("role") and not data.get("user"):
                self.add_error("role", _("Choose a role or a person."))
            if not (data.get("title") or "").strip():
                self.add_error("title", _("Write a title."))
        if chosen == K.SEND_MESSAGE and not (data.get("body") or "").strip():
            self.add_error("body", _("Write the text."))
        if chosen == K.ADD_TO_RECALL and not data.get("recall_list"):
            self.add_error("recall_list", _("Choose a recall list."))
        if chosen == K.WAIT and not data.get("wait_hours"):
            self.add_error("wait_hours", _("Say how long to wait."))
        for name in ("title", "body"):
            try:
                check_text(data.get(name) or "")
            except TemplateError as error:
                self.add_error(name, str(error))
        return data

    def step_data(self) -> dict:
        data = self.cleaned_data
        result = {"kind": self.chosen}
        for name in ("role", "user", "title", "priority", "channel", "body"):
            if name in data and data[name] not in (None, ""):
                result[name] = data[name]
        if data.get("due_in_hours") is not None:
            result["due_in_minutes"] = int(data["due_in_hours"] * 60)
        if data.get("recall_list"):
            result["recall_list"] = data["recall_list"]
            result["recall_in_days"] = data.get("recall_in_days") or 0
        if data.get("wait_hours"):
            result["wait_minutes"] = int(data["wait_hours"] * 60)
        if "role" in result and "user" in result:
            del result["role"]
        return result


class RunFilterForm(forms.Form):
    automation = forms.ModelChoiceField(
        label=_("Automation"),
        required=False,
        queryset=Automation.objects.order_by("name"),
        empty_label=_("Any automation"),
    )
    status = optional_choice(_("Status"), _("Any status"), [])
    start = date_field(_("From"))
    end = date_field(_("Until"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", _("Any status")),
            *AutomationRun.Status.choices,
        ]


class PreviewForm(forms.Form):
    """The sample of the preview: a patient by MRN, then one of their visits."""

    NO_PATIENT = _("No patient has the MRN %(mrn)s.")

    mrn = forms.CharField(
        label=_("Sample patient (MRN)"), max_length=16, required=False
    )
    visit = forms.ChoiceField(label=_("Visit"), required=False, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mrn = (self.data.get("mrn") or "").strip()
        self.patient = patient_by_mrn(mrn=mrn) if mrn else None
        self.visits = {}
        if self.patient is not None:
            self.visits = {
                str(a.pk): a
                for a in visit_model()
                .objects.filter(patient=self.patient)
                .select_related("patient", "provider", "location", "appointment_type")
                .order_by("-start", "-pk")[:20]
            }
        self.fields["visit"].choices = [("", _("Their most recent visit"))] + [
            (pk, f"{timezone.localtime(a.start):%d %b %Y %H:%M} · {a.appointment_type}")
            for pk, a in self.visits.items()
        ]

    def clean_mrn(self):
        mrn = self.cleaned_data["mrn"].strip()
        if mrn and self.patient is None:
            raise forms.ValidationError(self.NO_PATIENT % {"mrn": mrn})
        return mrn

    def sample(self) -> tuple:
        """(patient, visit) chosen, each None when left to the preview."""
        visit = self.visits.get(self.cleaned_data.get("visit") or "")
        return self.patient, visit
