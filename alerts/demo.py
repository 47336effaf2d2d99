"""Demo data of the alerts app: the reminder messages (with Spanish and Portuguese
texts; ``automations.demo`` gives each its automation and writes the coming
visits' reminders) and a history of sent, failed and answered messages.
Deterministic from the seed; safe to run again."""

from datetime import time, timedelta

from django.utils import timezone

from alerts.models import InboundMessage, Notification, ReminderRule, ReminderVariant
from alerts.services import alert_raise
from clinic.permissions import FRONT_DESK

RULES = [
    {
        "name": "Three days before",
        "body": "Hi {first_name}, {clinic}: your {appointment_type} is on {weekday} "
        "{date} at {time} with {provider}. {reply_instructions} {link}",
        "variants": {
            "es": "Hola {first_name}, {clinic}: su cita es el {weekday} {date} a las "
            "{time} con {provider}. {reply_instructions} {link}",
            "pt": "Olá {first_name}, {clinic}: sua consulta é {weekday} {date} às "
            "{time} com {provider}. {reply_instructions} {link}",
        },
    },
    {
        "name": "Day before",
        "body": "Reminder: {first_name}, see you tomorrow at {time} at {location}. "
        "{reply_instructions}",
        "variants": {
            "es": "Recordatorio: {first_name}, le esperamos mañana a las {time} en "
            "{location}. {reply_instructions}",
        },
    },
    {
        "name": "Two hours before",
        "body": "{first_name}, your visit at {location} is at {time} today.",
        "variants": {},
    },
]

FAILURES = [
    "Twilio 400 error 21211: The 'To' number is not a valid phone number.",
    "Twilio status undelivered, error 30003",
    "no consent to texts and no e-mail to fall back to",
]
REPLIES = [
    ("C", InboundMessage.Action.CONFIRMED, "Thank you, your visit is confirmed."),
    ("R", InboundMessage.Action.CALLBACK, "Someone will call you back."),
    ("Can I bring my daughter along?", InboundMessage.Action.TASK, "We will answer."),
    ("Running 10 minutes late, sorry", InboundMessage.Action.TASK, "We will answer."),
]


def _rules() -> list[ReminderRule]:
    rules = []
    for spec in RULES:
        rule, created = ReminderRule.objects.get_or_create(
            name=spec["name"],
            defaults={
                "body": spec["body"],
                "quiet_start": time(21),
                "quiet_end": time(8),
            },
        )
        if created:
            for language, body in spec["variants"].items():
                ReminderVariant.objects.create(rule=rule, language=language, body=body)
        rules.append(rule)
    return rules


def seed_alerts(*, faker, rng, options, stdout) -> None:
    rules = _rules()
    if Notification.objects.exists():
        return
    now = timezone.now()
    visits = Notification.appointment.field.related_model  # alerts sits below
    past = list(
        visits.objects.filter(status="completed", start__lt=now)
        .select_related("patient", "location", "provider", "appointment_type")
        .order_by("-start", "pk")[:40]
    )
    history = 0
    for n, appointment in enumerate(past):
        patient = appointment.patient
        sent_at = appointment.start - timedelta(hours=24)
        rule = rules[1]
        roll = rng.random()
        status, error = Notification.Status.DELIVERED, ""
        if roll < 0.12:
            status, error = Notification.Status.FAILED, FAILURES[0]
        elif roll < 0.2:
            status, error = Notification.Status.UNDELIVERABLE, FAILURES[1]
        elif roll < 0.25:
            status, error = Notification.Status.SKIPPED, FAILURES[2]
        row = Notification(
            patient=patient,
            appointment=appointment,
            appointment_start=appointment.start,
            rule=rule,
            channel="sms",
            address=str(patient.phone_mobile or ""),
            body=f"Reminder: {patient.given_name}, see you tomorrow at "
            f"{timezone.localtime(appointment.start):%H:%M} at "
            f"{appointment.location.name}. Reply C to confirm, X to cancel, R to "
            "ask for a call, STOP to opt out.",
            scheduled_for=sent_at,
            due_at=sent_at,
            status=status,
            attempts=1,
            last_error=error,
            provider_message_id=f"SMdemo{n:05d}" if status != "skipped" else "",
            sent_at=sent_at if status != "skipped" else None,
            delivered_at=sent_at + timedelta(seconds=4)
            if status == "delivered"
            else None,
        )
        row._change_reason = "demo"
        row.save()
        history += 1
        if status == Notification.Status.DELIVERED and n % 4 == 0:
            text, action, reply = REPLIES[(n // 4) % len(REPLIES)]
            alert = None
            if action != InboundMessage.Action.CONFIRMED:
                alert = alert_raise(
                    kind="callback_request"
                    if action == InboundMessage.Action.CALLBACK
                    else "patient_reply",
                    title=f"Text from {patient}",
                    message=text,
                    patient=patient,
                    role=FRONT_DESK,
                )
            InboundMessage.objects.create(
                provider_id=f"SMdemoin{n:05d}",
                from_number=str(patient.phone_mobile or "+15550000000"),
                body=text,
                received_at=sent_at + timedelta(minutes=rng.randint(2, 90)),
                patient=patient,
                action=action,
                reply=reply,
                alert=alert,
            )
        if status == Notification.Status.FAILED:
            alert_raise(
                kind="message_failed",
                title=f"Message to {patient} not delivered",
                message=error,
                patient=patient,
                subject=row,
                role=FRONT_DESK,
                key=f"notification-failed:{row.pk}",
            )
    stdout.write(f"  alerts: {len(rules)} reminder messages, {history} past messages")
