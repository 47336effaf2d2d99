from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.fields import optional_choice
from training.models import PracticeMessage


class PracticeOutboxFilterForm(forms.Form):
    q = forms.CharField(label=_("To, subject or text"), required=False)
    channel = optional_choice(
        _("Channel"), _("Any channel"), PracticeMessage.Channel.choices
    )
