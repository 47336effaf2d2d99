"""``publish``: the one way apps tell automations that something happened.

Called from services (not signals), inside their transaction: the event row commits
or rolls back with the change it reports. Processing is enqueued after commit; the
sweeper (``automations.sweepers``) picks up any event left unprocessed (Redis down,
worker lost). Publishing never raises into the caller.
"""

import contextvars
import logging

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from automations.facts import facts_for
from automations.models import ActionOutcome, Event
from clinic.queueing import enqueue_on_commit
from registration.models import Patient

logger = logging.getLogger(__name__)

# The depth of the automation run whose action is executing in this context.
current_depth: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "automation_depth", default=None
)


def _depth_for(subject) -> int:
    """1 + the depth of the run that made ``subject`` (or of the running action)."""
    running = current_depth.get()
    depth = running + 1 if running is not None else 0
    if subject is not None and subject.pk is not None:
        made_by = (
            ActionOutcome.objects.filter(
                made_type=ContentType.objects.get_for_model(subject),
                made_id=str(subject.pk),
            )
            .values_list("run__event__depth", flat=True)
            .first()
        )
        if made_by is not None:
            depth = max(depth, made_by + 1)
    return depth


def _patient_of(subject):
    if isinstance(subject, Patient):
        return subject
    patient = getattr(subject, "patient", None)
    return patient if isinstance(patient, Patient) else None


def publish(
    kind: str,
    *,
    patient=None,
    subject=None,
    facts: dict | None = None,
    actor=None,
    key: str | None = None,
    for_automation=None,
):
    """Record that ``kind`` happened (to ``patient``, about ``subject``).

    Returns the event, or None when it could not be recorded (logged, never raised).
    """
    if patient is None and subject is not None:
        patient = _patient_of(subject)
    try:
        with transaction.atomic():
            now = timezone.now()
            event = Event(
                kind=kind,
                patient=patient,
                facts={
                    **facts_for(patient=patient, subject=subject, at=now),
                    **(facts or {}),
                },
                actor=actor if getattr(actor, "pk", None) else None,
                occurred_at=now,
                depth=_depth_for(subject),
                key=key,
                for_automation=for_automation,
            )
            if subject is not None:
                event.subject_type = ContentType.objects.get_for_model(subject)
                event.subject_id = str(subject.pk)
            event.save()
    except Exception:
        logger.exception("Could not record event %s", kind)
        return None
    try:
        # By path: the apps that publish (registration among them) import this
        # module, and the engine behind the job imports them.
        enqueue_on_commit(
            "automations.jobs.event_process_job", event.pk, queue="default"
        )
    except Exception:
        logger.exception("Could not enqueue event %s", event.pk)
    return event
