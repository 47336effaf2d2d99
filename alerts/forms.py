from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.kinds import KINDS
from alerts.models import Notification, ReminderRule, StaffAlert
from clinic.fields import ClinicDateField


class InboxFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Not resolved")), *StaffAlert.Status.choices],
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Any kind")), *((k, v.label) for k, v in KINDS.items())],
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any priority")), *StaffAlert.Priority.choices],
    )


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Resolve"), css_class="btn-success"))


# --- Reminder rules ---------------------------------------------------------------


def _check(text: str) -> str:
    from alerts.reminders import TemplateError, check_template

    try:
        check_template(text)
    except TemplateError as error:
        raise forms.ValidationError(str(error)) from error
    return text


class ReminderRuleForm(forms.ModelForm):
    class Meta:
        model = ReminderRule
        fields = [
            "name",
            "appointment_types",
            "hours_before",
            "channel",
            "subject",
            "body",
            "quiet_start",
            "quiet_end",
            "email_fallback",
            "is_active",
        ]
        widgets = {
            "appointment_types": forms.CheckboxSelectMultiple,
            "body": forms.Textarea(attrs={"rows": 4}),
            "quiet_start": forms.TimeInput(attrs={"type": "time"}),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}),
        }
        help_texts = {
            "body": _(
                "Names in braces are filled in: {first_name} {date} {time} {weekday} "
                "{location} {address} {provider} {appointment_type} {clinic} "
                "{reply_instructions}."
            ),
            "quiet_start": _("No message goes out between these times (local)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hours_before"].min_value = 1
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_body(self):
        return _check(self.cleaned_data["body"])

    def clean_subject(self):
        return _check(self.cleaned_data["subject"])

    def clean_hours_before(self):
        hours = self.cleaned_data["hours_before"]
        if not 1 <= hours <= 24 * 30:
            raise forms.ValidationError(_("Between 1 hour and 30 days (720 hours)."))
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


class PreviewForm(forms.Form):
    language = forms.CharField(
        label=_("Preview in language"), max_length=35, required=False, initial="en"
    )


# --- Outbox -----------------------------------------------------------------------


class OutboxFilterForm(forms.Form):
    q = forms.CharField(label=_("Patient, MRN or number"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Notification.Status.choices],
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("Any channel")), *Notification.Channel.choices],
    )
    day = ClinicDateField(
        label=_("Scheduled on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ResendForm(forms.Form):
    reason = forms.CharField(
        label=_("Why send it again"),
        max_length=200,
        help_text=_("e.g. the patient gave a new number"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Resend"), css_class="btn-primary"))


class OfferForm(forms.Form):
    count = forms.TypedChoiceField(
        label=_("Text the offer to the first"),
        coerce=int,
        choices=[(n, str(n)) for n in (1, 2, 3, 5, 10)],
        initial=3,
    )
