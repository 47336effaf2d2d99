"""The reminder-rule form: the message (a ``ReminderRule``) with its automation's
timing, on/off and appointment types, and the language variants."""

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import ReminderRule
from automations.models import Condition
from automations.reminders.editing import automation_type_ids, hours_before
from automations.sources import choices_for
from automations.texts import PLACEHOLDERS, TemplateError, check_text
from clinic.fields import fields_only_helper

BETWEEN = _("Between 1 hour and 30 days (720 hours).")


def _check(text: str) -> str:
    try:
        check_text(text)
    except TemplateError as error:
        raise forms.ValidationError(str(error)) from error
    return text


class ReminderRuleForm(forms.ModelForm):
    appointment_types = forms.MultipleChoiceField(
        label=_("appointment types"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None selected: every type."),
    )
    hours_before = forms.IntegerField(label=_("hours before the visit"))
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)

    class Meta:
        model = ReminderRule
        fields = [
            "name",
            "channel",
            "subject",
            "body",
            "quiet_start",
            "quiet_end",
            "email_fallback",
        ]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 4}),
            "quiet_start": forms.TimeInput(attrs={"type": "time"}),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}),
        }
        help_texts = {
            "quiet_start": _("No message goes out between these times (local)."),
        }

    # The model's fields after the name; "active" last.
    field_order = ["name", "appointment_types", "hours_before"]

    def __init__(self, *args, automation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment_types"].choices = choices_for(
            Condition.Field.APPOINTMENT_TYPE
        )
        self.fields["body"].help_text = _(
            "Names in braces are filled in: %(names)s."
        ) % {"names": " ".join(f"{{{name}}}" for name in PLACEHOLDERS)}
        if automation is not None:
            self.initial.update(
                appointment_types=automation_type_ids(automation),
                hours_before=hours_before(automation),
                is_active=automation.enabled,
            )
        self.helper = fields_only_helper()

    def clean_body(self):
        return _check(self.cleaned_data["body"])

    def clean_subject(self):
        return _check(self.cleaned_data["subject"])

    def clean_hours_before(self):
        hours = self.cleaned_data["hours_before"]
        if not 1 <= hours <= 24 * 30:
            raise forms.ValidationError(BETWEEN)
        return hours


class ReminderVariantForm(forms.Form):
    language = forms.CharField(
        label=_("Language"),
        max_length=35,
        required=False,
        help_text=_("e.g. es, pt-BR"),
    )
    subject = forms.CharField(label=_("E-mail subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Message in this language"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_body(self):
        return _check(self.cleaned_data["body"])

    def clean_subject(self):
        return _check(self.cleaned_data["subject"])

    def clean(self):
        data = super().clean()
        if data.get("language") and not (data.get("body") or "").strip():
            self.add_error("body", _("Write the message in this language."))
        if (data.get("body") or "").strip() and not data.get("language"):
            self.add_error("language", _("Which language is this text in?"))
        return data


ReminderVariantFormSet = forms.formset_factory(
    ReminderVariantForm, extra=2, max_num=12, validate_max=True
)


def variant_formset(*, data=None, rule=None):
    initial = (
        [
            {"language": v.language, "subject": v.subject, "body": v.body}
            for v in rule.variants.all()
        ]
        if rule is not None and rule.pk
        else []
    )
    formset = ReminderVariantFormSet(data=data, initial=initial, prefix="variants")
    seen = set()
    if data is not None and formset.is_valid():
        for form in formset.forms:
            language = (form.cleaned_data.get("language") or "").strip().lower()
            if language and language in seen:
                form.add_error("language", _("This language is given twice."))
            seen.add(language)
    return formset


def variant_texts(formset) -> list[tuple[str, str, str]]:
    """(language, subject, body) of each filled variant of a valid formset."""
    return [
        (
            f.cleaned_data["language"].strip(),
            f.cleaned_data["subject"],
            f.cleaned_data["body"],
        )
        for f in formset.forms
        if f.cleaned_data.get("language")
    ]


class PreviewForm(forms.Form):
    language = forms.CharField(
        label=_("Preview in language"), max_length=35, required=False, initial="en"
    )
