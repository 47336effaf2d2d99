"""RQ entry points of reminders (ids only, safe to run twice) and their
enqueuers, called after a reminder automation or its rule changed."""

from automations.models import Automation
from automations.reminders.sync import reminders_backfill, reminders_refresh
from clinic.queueing import enqueue_on_commit


def reminders_refresh_job(automation_id: int) -> int:
    """Pending reminders of an edited or switched-off automation follow it."""
    return reminders_refresh(automation_id=automation_id)


def reminders_backfill_job(automation_id: int) -> int:
    """A reminder automation switched on writes reminders for visits booked."""
    return reminders_backfill(automation_id=automation_id)


def _sends_reminders(automation: Automation) -> bool:
    return automation.actions.filter(message_rule__isnull=False).exists()


def reminders_refresh_later(*, automation: Automation) -> None:
    if _sends_reminders(automation):
        enqueue_on_commit(reminders_refresh_job, automation.pk, queue="notifications")


def reminders_backfill_later(*, automation: Automation) -> None:
    if _sends_reminders(automation):
        enqueue_on_commit(reminders_backfill_job, automation.pk, queue="default")
