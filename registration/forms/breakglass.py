"""Forms of restricted records: the restriction, breaking the glass, the sign-off."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.fields import fields_only_helper
from registration.models import BreakGlassGrant, Patient

CONFIRM_REQUIRED = _("Confirm that you need this record now.")


class RestrictionForm(forms.Form):
    restriction = forms.ChoiceField(label=_("Restriction"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=80,
        help_text=_("Kept in the record's history."),
    )

    def __init__(self, *args, may_lift: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = Patient.Restriction.choices
        if not may_lift:
            choices = [(value, label) for value, label in choices if value]
        self.fields["restriction"].choices = choices
        self.helper = fields_only_helper()


class BreakGlassForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why do you need this record?"),
        choices=[("", "—"), *BreakGlassGrant.Reason.choices],
    )
    reason_text = forms.CharField(
        label=_("Explain in a few words"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label=_(
            "I need this record for my work now. I understand that this access is "
            "logged, that administrators are alerted, and that it is reviewed."
        ),
        error_messages={"required": CONFIRM_REQUIRED},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = fields_only_helper()


class SignOffForm(forms.Form):
    """The note; the chosen accesses (``grants``, a list of ids) are checked by the
    sign-off service, which refuses the whole batch on any wrong one."""

    note = forms.CharField(label=_("Sign-off note"), max_length=500)


class ReviewFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("unreviewed", _("Not signed off")),
            ("reviewed", _("Signed off")),
            ("all", _("All")),
        ],
    )
    user = forms.CharField(label=_("User name"), required=False, max_length=150)
