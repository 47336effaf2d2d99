from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.kinds import KINDS
from alerts.models import Notification, StaffAlert
from clinic.fields import SubmitButtonMixin, date_field, optional_choice


class InboxFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = optional_choice(_("Status"), _("Not resolved"), StaffAlert.Status.choices)
    kind = optional_choice(
        _("Kind"), _("Any kind"), ((k, v.label) for k, v in KINDS.items())
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any priority")), *StaffAlert.Priority.choices],
    )


class ResolveForm(SubmitButtonMixin, forms.Form):
    note = forms.CharField(
        label=_("What was done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    submit_label = _("Resolve")
    submit_class = "btn-success"


# --- Outbox -----------------------------------------------------------------------


class OutboxFilterForm(forms.Form):
    q = forms.CharField(label=_("Patient, MRN or number"), required=False)
    status = optional_choice(_("Status"), _("Any status"), Notification.Status.choices)
    channel = optional_choice(
        _("Channel"), _("Any channel"), Notification.Channel.choices
    )
    day = date_field(_("Scheduled on"))


class ResendForm(SubmitButtonMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why send it again"),
        max_length=200,
        help_text=_("e.g. the patient gave a new number"),
    )

    submit_label = _("Resend")


class OfferForm(forms.Form):
    count = forms.TypedChoiceField(
        label=_("Text the offer to the first"),
        coerce=int,
        choices=[(n, str(n)) for n in (1, 2, 3, 5, 10)],
        initial=3,
    )
