"""Writes of results: record (by hand or HL7), status, critical acknowledgement,
review."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import StaffAlert
from alerts.selectors import alert_visible_to
from alerts.services import (
    alert_acknowledge,
    alert_new,
    alert_raise,
    alert_resolve,
    alert_resolve_by_key,
    alerts_raise_many,
)
from automations.events import publish
from diagnostics import flags, patient_facts
from diagnostics.exceptions import (
    ACKNOWLEDGE_FIRST,
    ALREADY_ACKNOWLEDGED,
    NO_RESULTS_YET,
    NOT_CRITICAL,
    OrderStateError,
)
from diagnostics.models import (
    CriticalAcknowledgement,
    DiagnosticOrder,
    Observation,
    TestDefinition,
)
from diagnostics.services.orders import (
    RESULTABLE,
    REVIEWABLE,
    check_order_state,
    lock_order,
)

Status = DiagnosticOrder.Status
# An order in these statuses waits for its clinician's review.
REVIEW_DUE = (Status.FINAL, Status.CORRECTED)

ACTION_REQUIRED = _("Say what was done about the critical result.")
NOT_A_NUMBER = _("%(test)s needs a number (for example 12.5), not %(value)r.")
NO_VALUE = _("Enter at least one new or changed result.")
CORRECT_WITH_C = _("%(test)s already has a final result; save a change as Corrected.")

LOOK_UP = object()  # result_record: find the earlier observation itself


# --- Results --------------------------------------------------------------------------


@dataclass
class ResultValue:
    """One result as received, before flags: numeric, coded or text."""

    test: TestDefinition
    numeric: Decimal | None = None
    text: str = ""
    code: str = ""
    code_system: str = ""
    unit: str = ""
    reference_range: str = ""
    lab_flag: str = ""
    status: str = Observation.Status.FINAL
    observed_at: datetime | None = None
    comment: str = ""


def _assess(*, order, value: ResultValue, sex: str | None) -> tuple[str, bool, str]:
    """(flag, from the lab?, range text)."""
    test = value.test
    from_lab = flags.lab_flag(value.lab_flag)
    if value.numeric is not None:
        age = patient_facts.age_in_years(
            order.patient, on=timezone.localdate(value.observed_at or timezone.now())
        )
        computed = flags.flag_numeric(
            test=test, value=value.numeric, sex=sex, age_years=age
        )
    else:
        computed = flags.flag_coded(test=test, value=value.text)
        if computed.flag != flags.Flag.NORMAL and value.code:
            by_code = flags.flag_coded(test=test, value=value.code)
            computed = by_code if by_code.flag == flags.Flag.NORMAL else computed
    range_text = value.reference_range or computed.range_text
    if from_lab is not None:
        return from_lab, True, range_text
    return computed.flag, False, range_text


def observation_fill(
    observation: "Observation | None",
    *,
    order: DiagnosticOrder,
    value: ResultValue,
    source: str,
    actor=None,
    hl7_message=None,
) -> Observation:
    """``observation`` (or a new one) holding ``value``, flagged, with the reason
    history keeps; not saved."""
    flag, from_lab, range_text = _assess(
        order=order, value=value, sex=patient_facts.sex_at_birth(order.patient)
    )
    if observation is None:
        observation = Observation(order=order, test=value.test)
        reason = f"resulted ({source})"
    else:
        before = observation.display_value
        reason = (
            f"corrected, was {before} {observation.flag}"
            if value.status == Observation.Status.CORRECTED
            else f"updated ({source}), was {before} {observation.status}"
        )
    observation.value_numeric = value.numeric
    observation.value_text = value.text
    observation.value_code = value.code
    observation.value_code_system = value.code_system
    observation.unit = value.unit or value.test.unit
    observation.reference_range = range_text[:60]
    observation.flag, observation.flag_from_lab = flag, from_lab
    observation.status = value.status
    observation.source = source
    observation.hl7_message = hl7_message
    observation.observed_at = value.observed_at
    observation.resulted_at = timezone.now()
    observation.entered_by = actor
    observation.comment = value.comment
    observation._change_reason = reason
    return observation


def result_record(
    *,
    order: DiagnosticOrder,
    value: ResultValue,
    source: str,
    actor=None,
    hl7_message=None,
    existing: "Observation | None | object" = LOOK_UP,
) -> Observation:
    """Store one result (call inside the caller's transaction).

    A corrected result replaces the value and keeps the earlier one in history; a
    critical one raises an urgent alert to the ordering clinician.
    """
    observation = (
        Observation.objects.filter(order=order, test=value.test).first()
        if existing is LOOK_UP
        else existing
    )
    was_critical = observation is not None and observation.is_critical
    observation = observation_fill(
        observation,
        order=order,
        value=value,
        source=source,
        actor=actor,
        hl7_message=hl7_message,
    )
    observation.save()
    result_recorded(observation, was_critical=was_critical)
    return observation


def result_recorded(observation: Observation, *, was_critical: bool) -> None:
    """After a result is stored: a critical value raises an urgent alert (and an
    event); the alert of a critical value it replaced is resolved."""
    if was_critical:
        # The value it was raised for is gone; a new critical value needs a new
        # acknowledgement.
        alert_resolve_by_key(
            key=f"critical:{observation.pk}", note=_("Superseded by a corrected value.")
        )
    if observation.is_critical:
        _raise_critical_alert(observation)
        patient = observation.order.patient
        publish("result.critical", patient=patient, subject=observation)


def _raise_critical_alert(observation: Observation) -> None:
    order = observation.order
    key = f"critical:{observation.pk}"
    alert_raise(
        kind="critical_result",
        title=_("Critical %(test)s %(value)s %(unit)s (%(flag)s) for %(patient)s")
        % {
            "test": observation.test.name,
            "value": observation.display_value,
            "unit": observation.unit,
            "flag": observation.flag,
            "patient": order.patient,
        },
        message=_("Order %(accession)s. Open the order to acknowledge it.")
        % {"accession": order.accession},
        patient=order.patient,
        subject=observation,
        user=order.ordering_clinician,
        key=key,
    )


def order_status_for(*, results: dict, ordered: set, corrected: bool) -> str:
    """Partial while a test lacks a final result, else final (or corrected).
    ``results``: test id → result status."""
    complete = ordered <= set(results) and Observation.Status.PRELIMINARY not in set(
        results.values()
    )
    if corrected and complete:
        return Status.CORRECTED
    return Status.FINAL if complete else Status.PARTIAL


def order_status_set(order: DiagnosticOrder, status: str) -> bool:
    """The new status on the order, unsaved; a reviewed order that changes needs
    reviewing again. False when it had that status already."""
    if order.status == status:
        return False
    order.status = status
    order.resulted_at = order.resulted_at or timezone.now()
    if order.reviewed_at is not None:
        order.reviewed_at, order.reviewed_by = None, None
    order._change_reason = f"results: {status}"
    return True


def review_alert(order: DiagnosticOrder):
    """The ordering clinician's task to review the order's results (unsaved)."""
    return alert_new(
        kind="result_to_review",
        title=_("Results to review: %(accession)s %(patient)s")
        % {"accession": order.accession, "patient": order.patient},
        patient=order.patient,
        subject=order,
        user=order.ordering_clinician,
        key=f"review:{order.pk}",
    )


def order_status_refresh(*, order: DiagnosticOrder, corrected: bool = False) -> None:
    """After results arrive: partial while a test lacks a final result, else final
    (or corrected); a reviewed order that changes needs reviewing again."""
    status = order_status_for(
        results={o.test_id: o.status for o in order.observations.all()},
        ordered=set(order.items.values_list("test_id", flat=True)),
        corrected=corrected,
    )
    if order_status_set(order, status):
        order.save()
    if status in REVIEW_DUE:
        publish("result.resulted", patient=order.patient, subject=order)
        alerts_raise_many([review_alert(order)])


def parse_manual_value(test: TestDefinition, raw: str) -> ResultValue:
    raw = raw.strip()
    if test.is_numeric:
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise ValidationError(
                NOT_A_NUMBER % {"test": test.name, "value": raw}
            ) from None
        if not number.is_finite():
            raise ValidationError(NOT_A_NUMBER % {"test": test.name, "value": raw})
        return ResultValue(test=test, numeric=number)
    if test.result_type == TestDefinition.ResultType.CODED:
        return ResultValue(test=test, code=raw, text=raw)
    return ResultValue(test=test, text=raw)


def results_enter(
    *, order: DiagnosticOrder, values: dict, status: str = "F", actor
) -> list[Observation]:
    """Results typed in by hand: every value is checked before any is stored."""
    parsed = []
    errors = {}
    for test, raw in values.items():
        if not (raw or "").strip():
            continue
        try:
            result = parse_manual_value(test, raw)
        except ValidationError as error:
            errors[f"test_{test.pk}"] = error.messages
            continue
        result.status = status
        parsed.append(result)
    if errors:
        raise ValidationError(errors)
    if not parsed:
        raise ValidationError(NO_VALUE)
    with transaction.atomic():
        order = lock_order(order)
        check_order_state(order, RESULTABLE, _("resulted"))
        finals = set(
            order.observations.exclude(
                status=Observation.Status.PRELIMINARY
            ).values_list("test_id", flat=True)
        )
        if status != Observation.Status.CORRECTED:
            for value in parsed:
                if value.test.pk in finals:
                    raise ValidationError(CORRECT_WITH_C % {"test": value.test.name})
        made = [
            result_record(
                order=order, value=value, source=Observation.Source.MANUAL, actor=actor
            )
            for value in parsed
        ]
        order_status_refresh(order=order, corrected=status == "C")
    return made


# --- Critical results and review ------------------------------------------------------


def critical_acknowledge(
    *, observation: Observation, action_taken: str, actor
) -> CriticalAcknowledgement:
    """A critical result is acknowledged once per value, saying what was done; the
    staff alert is closed with the same words (so escalation stops)."""
    if not action_taken.strip():
        raise ValidationError({"action_taken": ACTION_REQUIRED})
    with transaction.atomic():
        observation = (
            Observation.objects.select_for_update()
            .select_related("test", "order__patient")
            .get(pk=observation.pk)
        )
        if not observation.is_critical:
            raise OrderStateError(NOT_CRITICAL)
        value_seen = (
            f"{observation.display_value} {observation.unit} {observation.flag}"
        )
        if observation.acknowledgements.filter(value_seen=value_seen).exists():
            raise OrderStateError(ALREADY_ACKNOWLEDGED)
        ack = CriticalAcknowledgement.objects.create(
            observation=observation,
            acknowledged_by=actor,
            action_taken=action_taken.strip(),
            value_seen=value_seen,
        )
        key = f"critical:{observation.pk}"
        alert = (
            StaffAlert.objects.filter(key=key)
            .exclude(status=StaffAlert.Status.RESOLVED)
            .first()
        )
        note = _("Acknowledged by %(user)s: %(action)s") % {
            "user": actor.get_username(),
            "action": action_taken.strip(),
        }
        if alert is not None and alert_visible_to(alert=alert, user=actor):
            alert_acknowledge(alert=alert, actor=actor, note=note)
            alert_resolve(alert=alert, actor=actor, note=note)
        elif alert is not None:
            alert_resolve_by_key(key=key, note=note, actor=actor)
        publish(
            "result.acknowledged",
            patient=observation.order.patient,
            subject=observation,
            actor=actor,
        )
    return ack


def unacknowledged_criticals(order: DiagnosticOrder) -> list[Observation]:
    found = []
    for observation in order.observations.all():
        if not observation.is_critical:
            continue
        seen = f"{observation.display_value} {observation.unit} {observation.flag}"
        if not any(a.value_seen == seen for a in observation.acknowledgements.all()):
            found.append(observation)
    return found


def order_review(*, order: DiagnosticOrder, note: str = "", actor) -> DiagnosticOrder:
    """Reviewing signs the results off; a critical result must be acknowledged
    first."""
    with transaction.atomic():
        order = lock_order(order)
        if not order.observations.exists():
            raise OrderStateError(NO_RESULTS_YET)
        check_order_state(order, REVIEWABLE, _("reviewed"))
        pending = unacknowledged_criticals(order)
        if pending:
            raise OrderStateError(
                ACKNOWLEDGE_FIRST % {"tests": ", ".join(o.test.name for o in pending)}
            )
        order.status = Status.REVIEWED
        order.reviewed_at, order.reviewed_by = timezone.now(), actor
        order.review_note = note.strip()
        order._change_reason = f"reviewed by {actor.get_username()}"
        order.save()
        alert_resolve_by_key(key=f"review:{order.pk}", note=_("Reviewed."), actor=actor)
    return order
