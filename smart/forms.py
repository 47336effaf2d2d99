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


def _code_box(label, rows: int, help_text) -> forms.CharField:
    """A text box for what is pasted or typed as code (JSON, scopes)."""
    return forms.CharField(
        label=label,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "spellcheck": "false"}),
    )


class ClientForm(SubmitButtonMixin, forms.Form):
    """What an administrator types; the service checks the keys and scopes."""

    submit_label = _("Save client")

    name = forms.CharField(label=_("Name"), max_length=120)
    jwks = _code_box(
        _("Public keys (JWK Set)"),
        8,
        _(
            'The client\'s public keys as a JSON Web Key Set: {"keys": [...]}. RSA '
            "(signing RS384) or EC P-384 (signing ES384) keys, each with a kid. "
            "Never a private key."
        ),
    )
    allowed_scopes = _code_box(
        _("Allowed scopes"),
        4,
        _(
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
