from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clinic.fields import SubmitButtonMixin, optional_choice, submit_helper
from clinic.models import StaffProfile
from clinic.permissions import ROLES

User = get_user_model()

ROLE_CHOICES = [(role, role) for role in ROLES]


class LoginForm(SubmitButtonMixin, AuthenticationForm):
    submit_label = _("Log in")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autofocus": True})


class ForcedPasswordChangeForm(SubmitButtonMixin, PasswordChangeForm):
    submit_label = _("Change password")


def _code_field(label, *, max_length: int, help_text="", **attrs) -> forms.CharField:
    """A code from the authenticator app: the browser may offer it from the phone
    (``one-time-code``) and the cursor starts there."""
    attrs = {"autocomplete": "one-time-code", "autofocus": True, **attrs}
    return forms.CharField(
        label=label,
        max_length=max_length,
        widget=forms.TextInput(attrs=attrs),
        help_text=help_text,
    )


def _temporary_password(help_text) -> forms.CharField:
    """A password an administrator sets; the user must replace it at log-in."""
    return forms.CharField(
        label=_("Temporary password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=help_text,
    )


class SecondStepForm(SubmitButtonMixin, forms.Form):
    submit_label = _("Verify")

    code = _code_field(
        _("Code"),
        max_length=32,
        help_text=_(
            "The 6-digit code your authenticator app shows now, or one of your "
            "recovery codes."
        ),
        inputmode="text",
        autocapitalize="off",
        spellcheck="false",
    )
    trust_device = forms.BooleanField(
        required=False,
        help_text=_("Only on a computer that no one else uses with your account."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trust_device"].label = _(
            "Trust this device for %(hours)d hours"
        ) % {"hours": settings.OTP_TRUSTED_DEVICE_HOURS}


class EnrolmentForm(SubmitButtonMixin, forms.Form):
    submit_label = _("Turn on two-factor log-in")

    code = _code_field(_("Code from the app"), max_length=16, inputmode="numeric")


class StaffFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    role = optional_choice(_("Role"), _("Any role"), ROLE_CHOICES)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any")),
            ("active", _("Active")),
            ("inactive", _("Deactivated")),
        ],
    )


class _StaffFields(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
    default_location = forms.ModelChoiceField(
        label=_("Default location"),
        # The profile's foreign key names the model (scheduling's Location): the
        # core asks the relation rather than importing an app above it.
        queryset=StaffProfile._meta.get_field(
            "default_location"
        ).related_model.objects.filter(is_active=True),
        required=False,
    )


class StaffCreateForm(SubmitButtonMixin, _StaffFields):
    submit_label = _("Create account")

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only."),
    )
    password = _temporary_password(
        _(
            "At least 12 characters; a passphrase of several words is best. "
            "The new user must choose their own at first log-in."
        )
    )
    field_order = [
        "username",
        "first_name",
        "last_name",
        "email",
        "role",
        "default_location",
    ]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("That user name is taken."))
        return username


class StaffUpdateForm(SubmitButtonMixin, _StaffFields):
    submit_label = _("Save changes")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the record's history."),
    )

    def __init__(self, *args, submit_label=None, css_class="btn-danger", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(submit_label or _("Confirm"), css_class)


class PasswordResetForm(SubmitButtonMixin, forms.Form):
    submit_label = _("Reset password")
    submit_class = "btn-warning"

    new_password = _temporary_password(
        _(
            "At least 12 characters. Tell the user in person; they must replace it "
            "at their next log-in. All their open sessions end now."
        )
    )


def add_validation_error(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has
    one, else as a form-wide error."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
