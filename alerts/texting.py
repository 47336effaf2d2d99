"""Whether a mobile number may be texted (or an e-mail address written to), and
why: the one place the outbox's send path, the chart and the automations ask."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import EmailConsent, NumberConsent
from alerts.services.consent import number_normalise
from clinic.templatetags.formats import day


@dataclass(frozen=True)
class Reach:
    """A number's answer: may it be texted, and the reason a clerk reads."""

    number: str
    allowed: bool
    why: str
    consent: NumberConsent | None = None


def _why(consent: NumberConsent) -> str:
    parts = [consent.get_source_display()]
    if consent.how:
        parts.append(consent.how)
    parts.append(day(timezone.localtime(consent.changed_at)))
    if consent.changed_by_id:
        parts.append(consent.changed_by.get_username())
    return f"{consent.get_state_display()}: " + " · ".join(parts)


def numbers_reach(numbers) -> dict[str, Reach]:
    """Each number's answer (keyed by the number as given), in one query."""
    wanted = {str(n): number_normalise(n) for n in numbers if n}
    found = {
        row.number: row
        for row in NumberConsent.objects.select_related("changed_by").filter(
            number__in=set(wanted.values())
        )
    }
    answers = {}
    for given, number in wanted.items():
        consent = found.get(number)
        if consent is None:
            answers[given] = Reach(number, False, _("No consent to texts recorded"))
        else:
            answers[given] = Reach(number, consent.allowed, _why(consent), consent)
    return answers


def number_reach(number) -> Reach:
    """May this number be texted now, and why."""
    if not number:
        return Reach("", False, _("No mobile number"))
    return numbers_reach([number])[str(number)]


def email_allowed(address: str) -> bool:
    """An address may be written to unless it opted out."""
    address = (address or "").strip().lower()
    return (
        bool(address)
        and not EmailConsent.objects.filter(
            address=address, state=EmailConsent.State.OPTED_OUT
        ).exists()
    )
