"""The patient's forms (a visit's link, the intake) and the front desk's filters."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clinic.fields import optional_choice
from registration.models import Coverage, Patient, Payer
from selfservice import intake_items
from selfservice.models import Intake
from selfservice.services import CANCEL_REASONS

CARD_TEXT = ("member_id", "group_number")
CARD_FILES = ("card_front", "card_back")
MAX_LINES = 20
CARD_ACCEPT = "image/jpeg,image/png,application/pdf"
LINE_TOO_LONG = _("Line %(line)d is too long (at most %(max)d characters).")
TOO_MANY_LINES = _("At most %(max)d lines, please.")
MEDICATION_LINE = _(
    "Line %(line)d: write the name, the dose and how often, with commas: "
    '"Metformin, 500 mg, twice a day".'
)


class CancelForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are you cancelling?"), choices=list(CANCEL_REASONS.items())
    )


class MoveForm(forms.Form):
    """A choice among the free times offered now (an older page's time that is no
    longer offered is refused as "no longer free")."""

    start = forms.ChoiceField(label=_("New time"), widget=forms.RadioSelect)

    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = {slot.start.isoformat(): slot for slot in slots}
        self.fields["start"].choices = [(key, key) for key in self.slots]

    def clean_start(self):
        return self.slots[self.cleaned_data["start"]].start


def _lines(text: str, *, width: int) -> list[str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_LINES:
        raise ValidationError(TOO_MANY_LINES % {"max": MAX_LINES})
    for number, line in enumerate(lines, start=1):
        if len(line) > width:
            raise ValidationError(LINE_TOO_LONG % {"line": number, "max": width})
    return lines


def _record_fields(model, names) -> dict[str, forms.Field]:
    """Optional form fields made from the record's own fields, with the checks
    those fields declare (a member ID's shape, a card photo's content)."""
    fields = {}
    for name in names:
        model_field = model._meta.get_field(name)
        field = model_field.formfield(required=False)
        field.validators = [*field.validators, *model_field._validators]
        fields[name] = field
    return fields


class IntakeForm(forms.Form):
    """What a new patient tells the clinic before the first visit; it becomes a
    proposed change (``Intake.proposed``), never the record itself."""

    no_known_allergies = forms.BooleanField(
        label=_("I have no known allergies"), required=False
    )
    allergies = forms.CharField(
        label=_("Allergies, one per line (what, and what happens)"),
        help_text=_('For example "Penicillin: rash".'),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    medications = forms.CharField(
        label=_("Medicines you take at home, one per line"),
        help_text=_('Name, dose, how often: "Metformin, 500 mg, twice a day".'),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    payer = forms.ModelChoiceField(
        label=_("Insurance company"), queryset=Payer.objects.none(), required=False
    )
    sms_consent = forms.BooleanField(
        label=_("The clinic may send me text messages about my care"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        own = self.fields
        self.fields = {
            **_record_fields(Patient, intake_items.DEMOGRAPHICS),
            **{name: own[name] for name in ("no_known_allergies", "allergies")},
            **{name: own[name] for name in ("medications", "payer")},
            **_record_fields(Coverage, CARD_TEXT),
            **_record_fields(Intake, CARD_FILES),
            "sms_consent": own["sms_consent"],
        }
        for name in CARD_FILES:
            self.fields[name].widget.attrs["accept"] = CARD_ACCEPT
        self.fields["payer"].queryset = Payer.objects.filter(is_active=True)

    def clean_allergies(self):
        allergies = []
        for line in _lines(self.cleaned_data["allergies"], width=200):
            substance, _colon, reaction = line.partition(":")
            allergies.append(
                {"substance": substance.strip()[:200], "reaction": reaction.strip()}
            )
        return allergies

    def clean_medications(self):
        drugs = []
        lines = _lines(self.cleaned_data["medications"], width=200)
        for number, line in enumerate(lines, start=1):
            parts = [part.strip() for part in line.split(",", 2)]
            if len(parts) < 3 or not all(parts):
                raise ValidationError(MEDICATION_LINE % {"line": number})
            name, dose, frequency = parts
            drugs.append(
                {"name": name[:160], "dose": dose[:60], "frequency": frequency[:60]}
            )
        return drugs

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("no_known_allergies") and cleaned.get("allergies"):
            self.add_error(
                "no_known_allergies",
                _("You listed allergies: leave this box empty, or remove them."),
            )
        if bool(cleaned.get("payer")) != bool(cleaned.get("member_id")):
            self.add_error(
                "member_id", _("Give both the insurance company and the member ID.")
            )
        return cleaned

    def proposed(self) -> dict:
        data = self.cleaned_data
        proposed = {
            "demographics": {
                name: str(data[name] or "") for name in intake_items.DEMOGRAPHICS
            },
            "no_known_allergies": data["no_known_allergies"],
            "allergies": data["allergies"],
            "medications": data["medications"],
            "sms_consent": data["sms_consent"],
        }
        if data.get("payer"):
            proposed[intake_items.INSURANCE] = {
                "payer": data["payer"].pk,
                "payer_name": data["payer"].name,
                "member_id": data["member_id"].strip().upper(),
                "group_number": data["group_number"].strip(),
            }
        return proposed

    def cards(self) -> dict:
        return {
            name: self.cleaned_data.get(name) for name in ("card_front", "card_back")
        }


class IntakeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = optional_choice(_("Status"), _("To review"), Intake.Status.choices)


class DecideForm(forms.Form):
    key = forms.CharField(max_length=40)
    accept = forms.TypedChoiceField(
        choices=[("yes", "yes"), ("no", "no")], coerce=lambda value: value == "yes"
    )
