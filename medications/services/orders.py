"""Clinicians' writes: ordering, changing, holding, resuming, discontinuing."""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from medications import allergies, conf
from medications.dose_times import parse_time_of_day
from medications.exceptions import AllergyBlocked, DuplicateTherapy, OrderNotChangeable
from medications.models import Medication, MedicationOrder
from medications.selectors.home import home_medications_sharing, home_reactions
from medications.services.schedule import schedule_cancel_open, schedule_regenerate
from medications.units import convert, units_fit

ABOVE_MAX_DOSE = _(
    "%(dose)s is above the maximum single dose of %(medication)s (%(max)s)."
)
UNIT_DOES_NOT_FIT = _(
    "%(unit)s does not fit %(medication)s, which is measured in %(med_unit)s."
)
ROUTE_NOT_ALLOWED = _("%(medication)s cannot be given %(route)s; allowed: %(routes)s.")
ALLERGY_MATCH = _(
    "Allergy: the patient is allergic to %(substances)s, which %(medication)s "
    "contains. Give an override reason to order it anyway."
)
REACTED_AT_HOME = _("%(drug)s (stopped at home after %(how)s)")
DUPLICATE_THERAPY = _(
    "Duplicate therapy: the patient already has an active order for %(medication)s "
    "(%(existing)s). Confirm to order it as well."
)
HOME_DUPLICATE = _(
    "Duplicate therapy: the patient takes %(home)s at home, which shares an "
    "ingredient with %(medication)s. Confirm to order it as well."
)
REASON_REQUIRED = _("Give a reason; it is kept in the order's history.")
NOT_ACTIVE = _("Only an active order can be %(action)s; this one is %(status)s.")
NOT_HELD = _("Only a held order can be resumed; this one is %(status)s.")
ALREADY_CLOSED = _("This order is already %(status)s.")

F = MedicationOrder.Frequency
S = MedicationOrder.Status

SCHEDULE_FIELDS = (
    "dose",
    "dose_unit",
    "route",
    "frequency",
    "interval_hours",
    "times_of_day",
    "prn_min_interval_hours",
    "prn_max_per_24h",
    "start_at",
    "end_at",
)


def _frequency_errors(order: MedicationOrder) -> dict[str, str]:
    errors = {}
    if order.frequency == F.INTERVAL and not order.interval_hours:
        errors["interval_hours"] = _("Give the number of hours between doses.")
    if order.frequency == F.TIMES:
        if not order.times_of_day:
            errors["times_of_day"] = _("Give at least one time of day (HH:MM).")
        else:
            try:
                parsed = [parse_time_of_day(text) for text in order.times_of_day]
            except (ValueError, AttributeError):
                errors["times_of_day"] = _("Write times of day as HH:MM, e.g. 08:00.")
            else:
                order.times_of_day = sorted(f"{t:%H:%M}" for t in set(parsed))
    if order.frequency == F.PRN:
        if not order.prn_min_interval_hours or order.prn_min_interval_hours <= 0:
            errors["prn_min_interval_hours"] = _(
                "Give the minimum hours between doses."
            )
        if not order.prn_max_per_24h:
            errors["prn_max_per_24h"] = _("Give the maximum number of doses in 24 h.")
    return errors


def order_dose_errors(
    *, medication: Medication, dose: Decimal, dose_unit: str, route: str
) -> dict[str, str]:
    """The order checks that refuse outright: unit, maximum dose, route."""
    errors = {}
    if not units_fit(dose_unit, medication.unit):
        errors["dose_unit"] = UNIT_DOES_NOT_FIT % {
            "unit": dose_unit,
            "medication": medication.name,
            "med_unit": medication.unit,
        }
    elif convert(dose, dose_unit, medication.unit) > medication.max_single_dose:
        errors["dose"] = ABOVE_MAX_DOSE % {
            "dose": f"{dose.normalize():f} {dose_unit}",
            "medication": medication.name,
            "max": f"{medication.max_single_dose.normalize():f} {medication.unit}",
        }
    if medication.routes and route not in medication.routes:
        errors["route"] = ROUTE_NOT_ALLOWED % {
            "medication": medication.name,
            "route": route,
            "routes": ", ".join(medication.routes),
        }
    return errors


def allergy_matches(*, patient, medication: Medication) -> list[str]:
    """The patient's active allergy substances that match the drug, and the home
    medications stopped after a reaction whose ingredients match it: a reaction
    the patient had at home counts like a recorded allergy."""
    names = [*medication.ingredients, medication.name]
    found = allergies.substances_in(allergies.active_allergy_substances(patient), names)
    for home in home_reactions(patient=patient):
        if allergies.substances_in([*home.ingredient_names, home.drug_name], names):
            found.append(
                REACTED_AT_HOME % {"drug": home.drug_name, "how": home.reaction}
            )
    return found


def _duplicates(order: MedicationOrder):
    return (
        MedicationOrder.objects.filter(
            patient=order.patient, medication=order.medication, status=S.ACTIVE
        )
        .exclude(pk=order.pk)
        .select_related("medication")
    )


def order_create(
    *,
    patient,
    location,
    medication: Medication,
    dose: Decimal,
    dose_unit: str,
    route: str,
    frequency: str,
    actor,
    interval_hours: int | None = None,
    times_of_day: list[str] | None = None,
    prn_min_interval_hours: Decimal | None = None,
    prn_max_per_24h: int | None = None,
    start_at: datetime | None = None,
    end_at: datetime | None = None,
    indication: str = "",
    instructions: str = "",
    allergy_override_reason: str = "",
    confirm_duplicate: bool = False,
    now: datetime | None = None,
) -> MedicationOrder:
    """An order passes the checks: a unit that fits, no more than the maximum single
    dose, an allowed route; an allergy match needs an override reason (kept); a second
    active order for the same drug, or a home medication sharing an ingredient,
    needs the clinician's confirmation."""
    now = now or timezone.now()
    order = MedicationOrder(
        patient=patient,
        location=location,
        medication=medication,
        dose=dose,
        dose_unit=dose_unit,
        route=route,
        frequency=frequency,
        interval_hours=interval_hours if frequency == F.INTERVAL else None,
        times_of_day=list(times_of_day or []) if frequency == F.TIMES else [],
        prn_min_interval_hours=prn_min_interval_hours if frequency == F.PRN else None,
        prn_max_per_24h=prn_max_per_24h if frequency == F.PRN else None,
        start_at=start_at or now,
        end_at=end_at,
        indication=indication.strip(),
        instructions=instructions.strip(),
        ordered_by=actor,
        status=S.ACTIVE,
    )
    errors = _frequency_errors(order)
    errors.update(
        order_dose_errors(
            medication=medication, dose=dose, dose_unit=dose_unit, route=route
        )
    )
    if errors:
        raise ValidationError(errors)
    order.full_clean()
    matches = allergy_matches(patient=patient, medication=medication)
    reason = allergy_override_reason.strip()
    if matches and not reason:
        raise AllergyBlocked(
            ALLERGY_MATCH
            % {"substances": ", ".join(matches), "medication": medication.name}
        )
    with transaction.atomic():
        existing = _duplicates(order).first()
        at_home = home_medications_sharing(
            patient=patient, ingredients=[*medication.ingredients, medication.name]
        )
        if existing is not None and not confirm_duplicate:
            raise DuplicateTherapy(
                DUPLICATE_THERAPY
                % {"medication": medication.name, "existing": str(existing)}
            )
        if at_home and not confirm_duplicate:
            raise DuplicateTherapy(
                HOME_DUPLICATE
                % {
                    "medication": medication.name,
                    "home": ", ".join(str(home) for home in at_home),
                }
            )
        change_reason = f"ordered by {actor.get_username()}"
        if matches:
            order.allergy_override_reason = reason
            change_reason += f"; allergy override ({', '.join(matches)}): {reason}"
        if existing is not None or at_home:
            change_reason += "; duplicate therapy confirmed"
        order._change_reason = change_reason[:100]
        order.save()
        schedule_regenerate(order=order, now=now, actor=actor)
    return order


def _reason_given(reason: str) -> str:
    """A change of an order keeps its reason in the history: one is required."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    return reason


def order_change(
    *, order: MedicationOrder, actor, reason: str, now: datetime | None = None, **fields
) -> MedicationOrder:
    """A changed active order is re-checked and its doses not yet given are
    regenerated (given, held and refused doses stay as they were)."""
    _reason_given(reason)
    now = now or timezone.now()
    unknown = set(fields) - set(SCHEDULE_FIELDS) - {"indication", "instructions"}
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)}")
    with transaction.atomic():
        order = MedicationOrder.objects.select_for_update().get(pk=order.pk)
        if order.status != S.ACTIVE:
            raise OrderNotChangeable(
                NOT_ACTIVE
                % {"action": _("changed"), "status": order.get_status_display()}
            )
        for name, value in fields.items():
            setattr(order, name, value)
        errors = _frequency_errors(order)
        errors.update(
            order_dose_errors(
                medication=order.medication,
                dose=order.dose,
                dose_unit=order.dose_unit,
                route=order.route,
            )
        )
        if errors:
            raise ValidationError(errors)
        order.full_clean()
        order._change_reason = f"changed: {reason.strip()}"[:100]
        order.save()
        schedule_regenerate(order=order, now=now, actor=actor)
    return order


def _set_status(*, order, status, reason, actor, verb):
    order.status = status
    order.status_reason = reason
    order._change_reason = f"{verb}: {reason}"[:100]
    order.save()
    schedule_cancel_open(order=order, actor=actor, reason=f"order {verb}: {reason}")


def order_hold(*, order: MedicationOrder, actor, reason: str, now=None):
    """A held order gives no doses; its open doses are cancelled until resumed."""
    reason = _reason_given(reason)
    with transaction.atomic():
        order = MedicationOrder.objects.select_for_update().get(pk=order.pk)
        if order.status != S.ACTIVE:
            raise OrderNotChangeable(
                NOT_ACTIVE % {"action": _("held"), "status": order.get_status_display()}
            )
        _set_status(order=order, status=S.HELD, verb="held", reason=reason, actor=actor)
    return order


def order_resume(*, order: MedicationOrder, actor, reason: str, now=None):
    """A resumed order schedules its doses again from now on."""
    reason = _reason_given(reason)
    now = now or timezone.now()
    with transaction.atomic():
        order = MedicationOrder.objects.select_for_update().get(pk=order.pk)
        if order.status != S.HELD:
            raise OrderNotChangeable(NOT_HELD % {"status": order.get_status_display()})
        order.status = S.ACTIVE
        order.status_reason = reason
        order._change_reason = f"resumed: {reason}"[:100]
        order.save()
        schedule_regenerate(order=order, now=now, actor=actor)
    return order


def order_discontinue(*, order: MedicationOrder, actor, reason: str, now=None):
    """A discontinued order is final; its open doses are cancelled."""
    reason = _reason_given(reason)
    with transaction.atomic():
        order = MedicationOrder.objects.select_for_update().get(pk=order.pk)
        if order.status in (S.DISCONTINUED, S.COMPLETED):
            raise OrderNotChangeable(
                ALREADY_CLOSED % {"status": order.get_status_display()}
            )
        _set_status(
            order=order,
            status=S.DISCONTINUED,
            verb="discontinued",
            reason=reason,
            actor=actor,
        )
    return order


def orders_complete_ended(*, now: datetime) -> int:
    """Active orders whose end has passed (and once-only orders whose dose is done)
    become completed."""
    done = 0
    with transaction.atomic():
        ended = MedicationOrder.objects.filter(status=S.ACTIVE).filter(
            Q(end_at__lte=now) | Q(frequency=F.ONCE, start_at__lte=now)
        )
        for order in ended.select_for_update(skip_locked=True):
            still_open = order.doses.filter(status="scheduled")
            if order.frequency != F.ONCE:
                still_open = still_open.filter(due_at__gt=now - conf.missed_after())
            if still_open.exists():
                continue  # a dose can still be charted; the order stays active
            order.status = S.COMPLETED
            order._change_reason = "completed: the order's end has passed"
            order.save()
            done += 1
    return done
