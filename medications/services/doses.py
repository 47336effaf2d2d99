"""Nurses' writes at the bedside: give (with the five rights), hold, refuse; PRN."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from automations.events import publish
from medications import conf
from medications.exceptions import (
    DoseAlreadyGiven,
    DoseNotOpen,
    FiveRightsError,
    PrnLimitReached,
)
from medications.models import (
    Administration,
    Medication,
    MedicationOrder,
    ScheduledDose,
)
from medications.ndc import ndc_forms, ndc_same, ndc_spellings
from medications.services.overdue import overdue_alert_close
from medications.units import convert, units_fit
from registration.selectors import mrn_normalise, patient_by_mrn

# The wrong-patient and wrong-drug messages name what was scanned and what was
# expected, never the expected code: a code on the screen could be typed into the
# box and pass the check without the right wristband or vial.
WRONG_PATIENT = _(
    "Wrong patient: the wristband scanned is %(scanned)s, not %(patient)s. "
    "Check the patient's identity before going on."
)
WRONG_DRUG = _("Wrong drug: the barcode scanned is %(scanned)s, not %(medication)s.")
UNKNOWN_WRISTBAND = _("no patient's")
UNKNOWN_DRUG = _("no drug in the formulary")
UNREADABLE_DRUG = _("not a National Drug Code")
WRONG_DOSE = _("Dose out of range: the order is %(ordered)s; you entered %(entered)s.")
WRONG_DOSE_UNIT = _("Dose out of range: %(unit)s does not fit the ordered %(ordered)s.")
WRONG_ROUTE = _("Wrong route: the order is %(ordered)s, not %(entered)s.")
TOO_EARLY = _(
    "Outside the time window: this dose is due at %(due)s, %(minutes)s minutes from "
    "now. Giving it early needs a reason."
)
TOO_LATE = _(
    "Outside the time window: this dose was due at %(due)s, %(minutes)s minutes ago. "
    "Giving it late needs a reason."
)
WITNESS_REQUIRED = _(
    "%(medication)s is a high-alert drug: a second nurse must witness the dose with "
    "their user name and password."
)
WITNESS_SAME = _("The witness must be a second nurse, not you.")
WITNESS_INVALID = _("The witness's user name or password is not right.")
WITNESS_NOT_NURSE = _("The witness must be a nurse who may give medications.")
ALREADY_GIVEN = _("Already given by %(nurse)s at %(time)s.")
NOT_OPEN = _("This dose is %(status)s; it cannot be charted again.")
ORDER_NOT_ACTIVE = _("The order is %(status)s; its doses cannot be given.")
REASON_REQUIRED = _("Give a reason; it is kept in the dose's history.")
NOT_PRN = _("Only an as-needed (PRN) order is given this way.")
PRN_TOO_SOON = _(
    "Too soon for this PRN dose: last given at %(last)s; the minimum interval is "
    "%(hours)s h (next at %(next)s)."
)
PRN_MAX_REACHED = _(
    "PRN maximum reached: %(count)s doses in the last 24 h (maximum %(max)s); next "
    "possible at %(next)s."
)

DS = ScheduledDose.Status


def _fmt(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "H:i")


def _fmt_long(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "M j, H:i")


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


@dataclass
class Bedside:
    """What the nurse scanned and entered at the bedside."""

    wristband: str
    barcode: str
    amount: Decimal | str
    unit: str
    route: str
    site: str = ""
    reason: str = ""
    note: str = ""
    witness_username: str = ""
    witness_password: str = ""


def _patient_words(patient) -> str:
    return _("%(name)s, born %(birth)s") % {
        "name": f"{patient.given_name} {patient.family_name}",
        "birth": f"{patient.birth_date:%Y-%m-%d}",
    }


def _scanned_patient_words(wristband: str) -> str:
    scanned = patient_by_mrn(mrn=wristband)
    return _patient_words(scanned) if scanned else UNKNOWN_WRISTBAND


def _scanned_drug_words(barcode: str) -> str:
    forms = ndc_forms(barcode)
    if not forms:
        return UNREADABLE_DRUG
    scanned = (
        Medication.objects.filter(barcode__in=ndc_spellings(forms))
        .order_by("-is_active", "pk")
        .first()
    )
    return str(scanned) if scanned else UNKNOWN_DRUG


def _check_identity(order: MedicationOrder, entry: Bedside) -> None:
    """The wristband is this patient's (its MRN, however typed) and the barcode
    this drug's NDC, in any of its printed or scanned forms (``medications.ndc``)."""
    patient, medication = order.patient, order.medication
    if mrn_normalise(entry.wristband) != mrn_normalise(patient.mrn):
        raise FiveRightsError(
            WRONG_PATIENT
            % {
                "scanned": _scanned_patient_words(entry.wristband),
                "patient": _patient_words(patient),
            },
            check="patient",
        )
    if not ndc_same(entry.barcode, medication.barcode):
        raise FiveRightsError(
            WRONG_DRUG
            % {
                "scanned": _scanned_drug_words(entry.barcode),
                "medication": str(medication),
            },
            check="drug",
        )


def _check_dose_and_route(order: MedicationOrder, entry: Bedside) -> Decimal:
    try:
        amount = Decimal(str(entry.amount))
    except (InvalidOperation, ValueError):
        amount = Decimal("-1")
    if not units_fit(entry.unit, order.dose_unit):
        raise FiveRightsError(
            WRONG_DOSE_UNIT % {"unit": entry.unit, "ordered": order.dose_label},
            check="dose",
        )
    if amount <= 0 or convert(amount, entry.unit, order.dose_unit) != order.dose:
        raise FiveRightsError(
            WRONG_DOSE
            % {
                "ordered": order.dose_label,
                "entered": f"{amount.normalize():f} {entry.unit}"
                if amount > 0
                else str(entry.amount),
            },
            check="dose",
        )
    if entry.route != order.route:
        raise FiveRightsError(
            WRONG_ROUTE % {"ordered": order.route, "entered": entry.route or "—"},
            check="route",
        )
    return amount


def _check_time(dose: ScheduledDose, entry: Bedside, now: datetime) -> str:
    """The early / late reason when the dose is outside the window, else ""."""
    window = conf.time_window()
    minutes = int(abs((now - dose.due_at).total_seconds()) // 60)
    if now < dose.due_at - window and not entry.reason.strip():
        raise FiveRightsError(
            TOO_EARLY % {"due": _fmt(dose.due_at), "minutes": minutes}, check="time"
        )
    if now > dose.due_at + window and not entry.reason.strip():
        raise FiveRightsError(
            TOO_LATE % {"due": _fmt(dose.due_at), "minutes": minutes}, check="time"
        )
    return entry.reason.strip() if abs(now - dose.due_at) > window else ""


def _check_witness(order: MedicationOrder, entry: Bedside, actor):
    if not order.medication.is_high_alert:
        return None
    if not entry.witness_username.strip() or not entry.witness_password:
        raise FiveRightsError(
            WITNESS_REQUIRED % {"medication": order.medication.name}, check="witness"
        )
    User = get_user_model()
    witness = User.objects.filter(
        username=entry.witness_username.strip(), is_active=True
    ).first()
    if witness is not None and witness.pk == actor.pk:
        raise FiveRightsError(WITNESS_SAME, check="witness")
    if witness is None or not witness.check_password(entry.witness_password):
        raise FiveRightsError(WITNESS_INVALID, check="witness")
    if not witness.has_perm("medications.add_administration"):
        raise FiveRightsError(WITNESS_NOT_NURSE, check="witness")
    return witness


def _already_given(dose: ScheduledDose) -> DoseAlreadyGiven:
    given = Administration.objects.select_related("given_by").get(dose=dose)
    return DoseAlreadyGiven(
        ALREADY_GIVEN
        % {"nurse": _name(given.given_by), "time": _fmt_long(given.given_at)}
    )


def _refuse_if_not_open(dose: ScheduledDose) -> None:
    if dose.status == DS.GIVEN:
        raise _already_given(dose)
    if dose.status != DS.SCHEDULED:
        raise DoseNotOpen(NOT_OPEN % {"status": dose.get_status_display().lower()})
    if dose.order.status != MedicationOrder.Status.ACTIVE:
        raise DoseNotOpen(
            ORDER_NOT_ACTIVE % {"status": dose.order.get_status_display().lower()}
        )


def _record(*, dose, order, entry, amount, actor, witness, now, timing_reason):
    administration = Administration(
        dose=dose,
        amount=amount,
        unit=entry.unit,
        route=entry.route,
        site=entry.site.strip(),
        given_at=now,
        given_by=actor,
        witness=witness,
        timing_reason=timing_reason,
        note=entry.note.strip(),
    )
    administration._change_reason = f"given by {actor.get_username()}"
    try:
        with transaction.atomic():
            administration.save(force_insert=True)
    except IntegrityError:
        raise _already_given(dose) from None
    dose.status = DS.GIVEN
    dose.status_changed_by = actor
    dose.status_changed_at = now
    dose._change_reason = f"given by {actor.get_username()}"
    dose.save()
    overdue_alert_close(
        dose, _("Dose given by %(nurse)s.") % {"nurse": _name(actor)}, actor
    )
    publish("dose.given", patient=order.patient, subject=dose, actor=actor)
    return administration


def dose_administer(
    *, dose: ScheduledDose, entry: Bedside, actor, now: datetime | None = None
) -> Administration:
    """A scheduled dose is given once, to the right patient, the right drug in the
    right dose by the right route at the right time (or with a reason); a high-alert
    drug with a second nurse as witness. The second of two nurses charting the same
    dose is told who gave it and when (the database refuses a second record)."""
    now = now or timezone.now()
    with transaction.atomic():
        dose = (
            ScheduledDose.objects.select_for_update(of=("self",))
            .select_related("order__patient", "order__medication")
            .get(pk=dose.pk)
        )
        _refuse_if_not_open(dose)
        order = dose.order
        _check_identity(order, entry)
        amount = _check_dose_and_route(order, entry)
        timing_reason = _check_time(dose, entry, now)
        witness = _check_witness(order, entry, actor)
        return _record(
            dose=dose,
            order=order,
            entry=entry,
            amount=amount,
            actor=actor,
            witness=witness,
            now=now,
            timing_reason=timing_reason,
        )


def prn_check(*, order: MedicationOrder, now: datetime) -> None:
    """A PRN dose respects the order's minimum interval and 24-hour maximum."""
    given = list(
        Administration.objects.filter(
            dose__order=order, given_at__gt=now - timedelta(hours=24)
        ).order_by("-given_at")
    )
    interval = timedelta(hours=float(order.prn_min_interval_hours or 0))
    if given and now - given[0].given_at < interval:
        raise PrnLimitReached(
            PRN_TOO_SOON
            % {
                "last": _fmt(given[0].given_at),
                "hours": f"{order.prn_min_interval_hours.normalize():f}",
                "next": _fmt(given[0].given_at + interval),
            }
        )
    if order.prn_max_per_24h and len(given) >= order.prn_max_per_24h:
        oldest = given[order.prn_max_per_24h - 1].given_at
        raise PrnLimitReached(
            PRN_MAX_REACHED
            % {
                "count": len(given),
                "max": order.prn_max_per_24h,
                "next": _fmt(oldest + timedelta(hours=24)),
            }
        )


def prn_administer(
    *, order: MedicationOrder, entry: Bedside, actor, now: datetime | None = None
) -> Administration:
    """An as-needed dose: the five rights (time aside), then the PRN limits."""
    now = now or timezone.now()
    with transaction.atomic():
        order = (
            MedicationOrder.objects.select_for_update(of=("self",))
            .select_related("patient", "medication")
            .get(pk=order.pk)
        )
        if not order.is_prn:
            raise DoseNotOpen(NOT_PRN)
        if order.status != MedicationOrder.Status.ACTIVE or (
            order.end_at and order.end_at <= now
        ):
            raise DoseNotOpen(
                ORDER_NOT_ACTIVE % {"status": order.get_status_display().lower()}
            )
        _check_identity(order, entry)
        amount = _check_dose_and_route(order, entry)
        prn_check(order=order, now=now)
        witness = _check_witness(order, entry, actor)
        dose = ScheduledDose(order=order, due_at=now)
        dose._change_reason = "PRN dose"
        dose.save()
        return _record(
            dose=dose,
            order=order,
            entry=entry,
            amount=amount,
            actor=actor,
            witness=witness,
            now=now,
            timing_reason="",
        )


def _set_dose_status(*, dose, status, actor, reason, now):
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    now = now or timezone.now()
    with transaction.atomic():
        dose = (
            ScheduledDose.objects.select_for_update(of=("self",))
            .select_related("order")
            .get(pk=dose.pk)
        )
        if dose.status == DS.GIVEN:
            raise _already_given(dose)
        if dose.status != DS.SCHEDULED:
            raise DoseNotOpen(NOT_OPEN % {"status": dose.get_status_display().lower()})
        dose.status = status
        dose.reason = reason[:500]
        dose.status_changed_by = actor
        dose.status_changed_at = now
        dose._change_reason = f"{status}: {reason}"[:100]
        dose.save()
        overdue_alert_close(
            dose,
            _("Dose %(status)s by %(nurse)s: %(reason)s")
            % {"status": status, "nurse": _name(actor), "reason": reason},
            actor,
        )
    return dose


def dose_hold(*, dose: ScheduledDose, actor, reason: str, now=None) -> ScheduledDose:
    """A nurse holds a dose (e.g. blood pressure too low); the reason is kept."""
    return _set_dose_status(
        dose=dose, status=DS.HELD, actor=actor, reason=reason, now=now
    )


def dose_refuse(*, dose: ScheduledDose, actor, reason: str, now=None) -> ScheduledDose:
    """The patient refused the dose; the reason is kept."""
    return _set_dose_status(
        dose=dose, status=DS.REFUSED, actor=actor, reason=reason, now=now
    )
