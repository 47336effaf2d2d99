import json

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.forms import SubmitButtonMixin

SWITCHED_CHOICES = [
    ("", _("Any")),
    ("on", _("Switched on")),
    ("off", _("Switched off")),
]


class ClientFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=120)
    switched = forms.ChoiceField(
        label=_("Status"), required=False, choices=SWITCHED_CHOICES
    )


class ClientForm(SubmitButtonMixin, forms.Form):
    """What an administrator types; the service checks the keys and scopes."""

    submit_label = _("Save client")

    name = forms.CharField(label=_("Name"), max_length=120)
    jwks = forms.CharField(
        label=_("Public keys (JWK Set)"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_(
            'The client\'s public keys as a JSON Web Key Set: {"keys": [...]}. RSA '
            "(signing RS384) or EC P-384 (signing ES384) keys, each with a kid. "
            "Never a private key."
        ),
    )
    allowed_scopes = forms.CharField(
        label=_("Allowed scopes"),
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_(
            "SMART v2 system scopes, one per line: system/Patient.rs (read and "
            "search patients), system/*.rs (read and search everything), "
            "system/Appointment.c (book)."
        ),
    )

    @staticmethod
    def initial_of(client) -> dict:
        return {
            "name": client.name,
            "jwks": json.dumps(client.jwks, indent=2),
            "allowed_scopes": client.allowed_scopes,
        }
