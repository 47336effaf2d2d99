"""Writes of alerts: the staff inbox (``inbox``) and the patients' outbox
(``outbox``). Callers import the names from here."""

from alerts.services.consent import (
    email_consent_record,
    number_consent_record,
    number_normalise,
)
from alerts.services.inbox import (
    NOTE_REQUIRED,
    alert_acknowledge,
    alert_new,
    alert_raise,
    alert_resolve,
    alert_resolve_by_key,
    alerts_escalate_due,
    alerts_raise_many,
)
from alerts.services.outbox import (
    BODY_REQUIRED,
    RULE_OFF,
    UNKNOWN_CHANNEL,
    default_language,
    notification_create,
    notification_resend,
    notifications_cancel,
    visit_reminder_put,
    visit_reminders_settle,
)

__all__ = [
    "BODY_REQUIRED",
    "NOTE_REQUIRED",
    "RULE_OFF",
    "UNKNOWN_CHANNEL",
    "alert_acknowledge",
    "alert_new",
    "alert_raise",
    "alert_resolve",
    "alert_resolve_by_key",
    "alerts_escalate_due",
    "alerts_raise_many",
    "default_language",
    "email_consent_record",
    "notification_create",
    "notification_resend",
    "notifications_cancel",
    "number_consent_record",
    "number_normalise",
    "visit_reminder_put",
    "visit_reminders_settle",
]
