"""What the apps above alerts plug into it.

alerts is the bottom app: the outbox and inbox every app writes to. It imports no
app above it (``tests/alerts/test_layering.py``). Where a message needs a rule that
belongs to an upper app (which patient owns a mobile number, what "C" means for a
visit, whether a reminder may still go), that app registers its function here in
its ``AppConfig.ready()``:

* registration (``registration/messaging.py``): ``patient_by_mobile``,
  ``patient_unreachable_reason``, ``contact_unreachable_reason``,
  ``patient_banner``, ``patients_hide``;
* scheduling (``scheduling/sms_replies.py``, ``scheduling/waitlist_offers.py``):
  ``REPLY_HANDLERS`` (YES takes a waitlist offer, C confirms the next visit) and
  ``freed_slot_offer`` (the outbox's "offer this time by text" button);
* reminders (``alerts/reminder_holds.py``): ``SEND_HOLDS``; automations
  (``automations/reminders/grouping.py``): ``reminder_group_text``.

STOP and START belong to the number (``alerts.services.number_consent_record``):
alerts records them itself, and everyone on the number follows.

A port that nobody filled raises ``ImproperlyConfigured`` when called: a STOP must
never be dropped silently because an app is missing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ImproperlyConfigured


class Port:
    """One function that exactly one upper app provides; calling the port calls
    it. Registering again replaces it (tests may stand in their own)."""

    def __init__(self, name: str, owner: str):
        self.name = name
        self.owner = owner
        self.provider: Callable | None = None

    def __repr__(self) -> str:
        return f"<Port {self.name} (from {self.owner})>"

    def register(self, provider: Callable) -> None:
        self.provider = provider

    def __call__(self, *args, **kwargs):
        if self.provider is None:
            raise ImproperlyConfigured(
                f"Nothing provides alerts.hooks.{self.name}: {self.owner} registers "
                "it in its AppConfig.ready(); is the app installed?"
            )
        return self.provider(*args, **kwargs)


# --- Patients (registration) -------------------------------------------------------

# (number: str) -> Patient | None: the patient whose mobile number this is.
patient_by_mobile = Port("patient_by_mobile", "registration")
# (patient) -> str: why the patient may get no message at all ("" when they may).
patient_unreachable_reason = Port("patient_unreachable_reason", "registration")
# (contact, purpose: str) -> str: why a patient's contact may not get a message
# for ``purpose`` (a permission they lack, consent run out, ended); "" when they may.
contact_unreachable_reason = Port("contact_unreachable_reason", "registration")
# (*, patient) -> the banner shown on a page about one patient.
patient_banner = Port("patient_banner", "registration")
# (items, *, user) -> set of ids: mark each item (an alert) whose patient is
# restricted and not granted to the user (``item.patient_hidden``).
patients_hide = Port("patients_hide", "registration")

# --- Visits (scheduling) -----------------------------------------------------------

# (*, appointment_id: int, count: int | None, actor, clinic: str) -> list of offers:
# text a cancelled visit's time to the first ``count`` waitlist candidates. Raises
# Http404 for an unknown visit and an ApplicationError when it cannot be offered
# (``count`` is None when the form was not valid).
freed_slot_offer = Port("freed_slot_offer", "scheduling")

# --- Reminders (automations) ------------------------------------------------------

# (rows: list[Notification], *, language: str) -> (language, body): one text naming
# each visit of reminders that go to one number together, in ``rows``' order (the
# numbers a reply like C2 means), wholly in the language it returns.
reminder_group_text = Port("reminder_group_text", "automations")

PORTS = [
    patient_by_mobile,
    patient_unreachable_reason,
    contact_unreachable_reason,
    patient_banner,
    patients_hide,
    freed_slot_offer,
    reminder_group_text,
]

# --- Replies -----------------------------------------------------------------------

# ``handler(message, *, keyword, clinic) -> bool``: asked in order, after STOP and
# START and before "call me back" and the catch-all task, inside the reply's
# transaction. A handler that recognises the text sets ``message.action`` and
# ``message.reply`` (and maybe ``message.alert``) and returns True; the first one
# to do so wins. ``keyword`` is the text upper-cased with single spaces.
ReplyHandler = Callable[..., bool]
REPLY_HANDLERS: list[ReplyHandler] = []


def reply_handler_register(handler: ReplyHandler) -> None:
    if handler not in REPLY_HANDLERS:
        REPLY_HANDLERS.append(handler)


# --- Sending -----------------------------------------------------------------------


@dataclass(frozen=True)
class Stop:
    """The message must not go: it ends ``status`` (cancelled or skipped)."""

    status: str
    reason: str


@dataclass(frozen=True)
class Later:
    """The message waits until ``until`` (quiet hours, say)."""

    until: datetime
    reason: str


# ``hold(row, now) -> Stop | Later | None``, asked in order for a claimed row once
# its patient may be messaged at all; the first answer that is not None stands.
SendHold = Callable[..., "Stop | Later | None"]
SEND_HOLDS: list[SendHold] = []


def send_hold_register(hold: SendHold) -> None:
    if hold not in SEND_HOLDS:
        SEND_HOLDS.append(hold)
