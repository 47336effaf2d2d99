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

from automations.facts import facts_for, patients_facts
from automations.models import ActionOutcome, Event
from automations.sources import is_visit
from clinic.history import rows_create
from clinic.queueing import enqueue_on_commit
from registration.models import Patient

logger = logging.getLogger(__name__)

# The depth of the automation run whose action is executing in this context.
current_depth: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "automation_depth", default=None
)


def _made_depths(subjects) -> dict[tuple[int, str], int]:
    """(content type id, pk) → depth of the run whose action made that record."""
    wanted: dict[int, list[str]] = {}
    for subject in subjects:
        if subject is not None and subject.pk is not None:
            kind = ContentType.objects.get_for_model(subject).pk
            wanted.setdefault(kind, []).append(str(subject.pk))
    depths = {}
    for kind, ids in wanted.items():
        made = ActionOutcome.objects.filter(made_type_id=kind, made_id__in=ids)
        for made_id, depth in made.values_list("made_id", "run__event__depth"):
            depths.setdefault((kind, made_id), depth)
    return depths


def _depth_for(subject, made: dict) -> int:
    """1 + the depth of the run that made ``subject`` (or of the running action)."""
    running = current_depth.get()
    depth = running + 1 if running is not None else 0
    if subject is not None and subject.pk is not None:
        kind = ContentType.objects.get_for_model(subject).pk
        made_by = made.get((kind, str(subject.pk)))
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
            event = _event(
                kind,
                patient=patient,
                subject=subject,
                facts={
                    **facts_for(patient=patient, subject=subject, at=now),
                    **(facts or {}),
                },
            )
            event.depth = _depth_for(subject, _made_depths([subject]))
            event.occurred_at = now
            event.actor = actor if getattr(actor, "pk", None) else None
            event.key, event.for_automation = key, for_automation
            event.save()
    except Exception:
        logger.exception("Could not record event %s", kind)
        return None
    _enqueue(event)
    return event


def _event(kind: str, *, patient, subject, facts: dict) -> Event:
    event = Event(kind=kind, patient=patient, facts=facts)
    if subject is not None:
        event.subject_type = ContentType.objects.get_for_model(subject)
        event.subject_id = str(subject.pk)
    return event


def _enqueue(event: Event) -> None:
    try:
        # By path: the apps that publish (registration among them) import this
        # module, and the engine behind the job imports them.
        enqueue_on_commit(
            "automations.jobs.event_process_job", event.pk, queue="default"
        )
    except Exception:
        logger.exception("Could not enqueue event %s", event.pk)


def publish_many(
    kind: str, *, subjects: list, subject_facts: list[dict] | None = None
) -> list[Event]:
    """``publish`` of one kind about many records (each with its patient), their
    facts read together and the events written in one insert. ``subject_facts``:
    each subject's own facts as the caller holds them, instead of reading them.
    Returns the events ([] when they could not be recorded: logged, never raised)."""
    if not subjects:
        return []
    patients = [_patient_of(subject) for subject in subjects]
    own_facts = subject_facts or [None] * len(subjects)
    try:
        with transaction.atomic():
            now = timezone.now()
            known = patients_facts([p for p in patients if p is not None], at=now)
            made = _made_depths(subjects)
            events = []
            for patient, subject, of_subject in zip(
                patients, subjects, own_facts, strict=True
            ):
                # A visit's own facts leave that visit out: read alone.
                own = (
                    None if is_visit(subject) else known.get(getattr(patient, "pk", 0))
                )
                facts = facts_for(
                    patient=patient,
                    subject=subject,
                    at=now,
                    of_patient=own,
                    of_subject=of_subject,
                )
                depth = _depth_for(subject, made)
                event = _event(kind, patient=patient, subject=subject, facts=facts)
                event.depth, event.occurred_at = depth, now
                events.append(event)
            rows_create(events, Event)
    except Exception:
        logger.exception("Could not record %s events %s", len(subjects), kind)
        return []
    for event in events:
        _enqueue(event)
    return events
