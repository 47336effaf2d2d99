"""Every write of the registration app: one use case per function, one transaction."""

import logging
from datetime import date

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.exceptions import NumberStopped
from alerts.models import NumberConsent
from alerts.services import number_consent_record
from automations.events import publish
from clinic.exceptions import ApplicationError
from clinic.models import AccessLog
from clinic.queueing import enqueue_on_commit
from registration import jobs, merge_hooks
from registration.eligibility import EligibilityError, backend_name, get_backend
from registration.exceptions import PossibleDuplicates
from registration.models import Allergy, Coverage, EligibilityCheck, Patient
from registration.mrn import mrn_allocate
from registration.selectors import patient_possible_duplicates
from registration.services.contacts import (
    CONTACT_END_REASON_REQUIRED as CONTACT_END_REASON_REQUIRED,
)
from registration.services.contacts import contact_add as contact_add
from registration.services.contacts import contact_end as contact_end
from registration.services.contacts import contact_update as contact_update

logger = logging.getLogger(__name__)

NKA_WITH_ACTIVE_ALLERGIES = (
    "This patient has active allergies: mark them inactive or entered in error first."
)
MERGE_SAME_PATIENT = "A patient cannot be merged into itself."
MERGE_ALREADY_MERGED = "%(mrn)s is already merged into another record."
MERGE_REASON_REQUIRED = "Give the reason for the merge."
MERGE_CONFLICT = "The records cannot be merged: %(detail)s"
SMS_CONSENT_METHOD_REQUIRED = "Say how the patient gave consent to text messages."

PATIENT_FIELDS_IGNORED = {"id", "mrn", "created_at", "history"}


def _apply_sms_consent(*, patient: Patient, previous: bool, actor) -> None:
    """Consent to texts is recorded with when, how and by whom; withdrawal clears it.
    The form's answer is kept on the patient; the number's consent, which the
    outbox obeys, is recorded by ``_number_consent_record`` once saved."""
    if patient.sms_consent and not previous:
        if not patient.sms_consent_method:
            raise ValidationError({"sms_consent_method": SMS_CONSENT_METHOD_REQUIRED})
        patient.sms_consent_at = timezone.now()
        patient.sms_consent_recorded_by = actor if actor else None
    elif not patient.sms_consent:
        patient.sms_consent_at = None
        patient.sms_consent_method = ""
        patient.sms_consent_recorded_by = None


def _number_consent_record(
    *, patient: Patient, previous: tuple[bool, str], actor
) -> None:
    """The registration form's answer goes onto the patient's mobile number when
    it changed (or the number did): agreeing opts the number in, withdrawing opts
    it out, for everyone on it. A number that replied STOP is not opted in here
    (only START from the phone does that): the form says so on the consent box."""
    answer = (patient.sms_consent, str(patient.phone_mobile or ""))
    if not answer[1] or answer == previous:
        return
    if not patient.sms_consent and not previous[0]:
        return  # never agreed: nothing to record on the number
    try:
        number_consent_record(
            number=answer[1],
            allowed=patient.sms_consent,
            source=(
                NumberConsent.Source.INTAKE  # the patient's own form (selfservice)
                if patient.sms_consent_method == Patient.ConsentMethod.PORTAL
                else NumberConsent.Source.REGISTRATION
            ),
            how=(
                f"{patient.get_sms_consent_method_display()} ({patient.mrn})"
                if patient.sms_consent
                else f"withdrawn on the patient record ({patient.mrn})"
            ),
            actor=actor,
        )
    except NumberStopped as error:
        raise ValidationError({"sms_consent": error.message}) from error


def _duplicates_check(
    *, data: dict, coverage: dict | None, reason: str, shown: list[str]
) -> list[str]:
    """The MRNs of existing patients who may be this person, when the clerk
    confirmed a new record anyway; PossibleDuplicates otherwise."""
    matches = patient_possible_duplicates(
        given_name=data.get("given_name", ""),
        family_name=data.get("family_name", ""),
        birth_date=data.get("birth_date"),
        phones=[data.get("phone_mobile"), data.get("phone_home")],
        member_id=(coverage or {}).get("member_id", ""),
    )
    mrns = [match.patient.mrn for match in matches]
    if matches and not (reason and set(mrns) <= set(shown)):
        raise PossibleDuplicates(matches)
    return mrns


def patient_register(
    *,
    data: dict,
    actor,
    coverage: dict | None = None,
    duplicate_override_reason: str = "",
    duplicates_shown: list[str] = (),
) -> Patient:
    """A new patient gets a fresh MRN, after a search for the same person: when
    existing patients may be this person, the record is made only with the
    clerk's reason, given after those matches were shown (``duplicates_shown``;
    a new match since refuses again). The reason and the matches are kept with
    the record."""
    reason = duplicate_override_reason.strip()
    matched = _duplicates_check(
        data=data, coverage=coverage, reason=reason, shown=list(duplicates_shown)
    )
    patient = Patient(**{k: v for k, v in data.items() if k not in ("mrn",)})
    patient.duplicate_override_reason = reason[:300] if matched else ""
    patient.duplicate_override_mrns = ", ".join(matched)[:300]
    _apply_sms_consent(patient=patient, previous=False, actor=actor)
    if patient.allergy_review == Patient.AllergyReview.NO_KNOWN:
        patient.allergy_reviewed_at = timezone.now()
    with transaction.atomic():
        patient.mrn = mrn_allocate()[0]
        patient.full_clean()
        reason = "registered"
        if patient.duplicate_override_reason:
            reason = (
                "registered despite possible duplicates: "
                + patient.duplicate_override_reason
            )
        patient._change_reason = reason[:100]
        patient.save()
        _number_consent_record(patient=patient, previous=(False, ""), actor=actor)
        if coverage:
            coverage_add(patient=patient, data=coverage, actor=actor)
        publish("patient.registered", patient=patient, subject=patient, actor=actor)
    return patient


def patient_update(*, patient: Patient, data: dict, actor, reason: str = "") -> Patient:
    previous_consent, previous_mobile = (
        Patient.objects.filter(pk=patient.pk)
        .values_list("sms_consent", "phone_mobile")
        .first()
    ) or (False, "")
    for name, value in data.items():
        if name not in PATIENT_FIELDS_IGNORED:
            setattr(patient, name, value)
    _apply_sms_consent(patient=patient, previous=bool(previous_consent), actor=actor)
    if patient.status != Patient.Status.DECEASED:
        patient.deceased_date = None
    patient.full_clean()
    with transaction.atomic():
        patient._change_reason = (reason or "demographics updated")[:100]
        patient.save()
        _number_consent_record(
            patient=patient,
            previous=(bool(previous_consent), str(previous_mobile or "")),
            actor=actor,
        )
    return patient


# --- Insurance -----------------------------------------------------------------------


def coverage_add(*, patient: Patient, data: dict, actor) -> Coverage:
    """A coverage belongs to one patient; member IDs are kept upper-case, as printed."""
    coverage = Coverage(patient=patient, **data)
    coverage.member_id = (coverage.member_id or "").strip().upper()
    if coverage.relationship == Coverage.Relationship.SELF:
        coverage.subscriber_given_name = ""
        coverage.subscriber_family_name = ""
        coverage.subscriber_birth_date = None
        coverage.subscriber_sex = ""
    coverage.full_clean()
    with transaction.atomic():
        coverage._change_reason = "coverage added"
        coverage.save()
    return coverage


def eligibility_check_request(*, coverage: Coverage, actor) -> EligibilityCheck:
    """Verifying insurance is a row first, then a job: the job only carries its id."""
    with transaction.atomic():
        check = EligibilityCheck.objects.create(
            coverage=coverage,
            patient_id=coverage.patient_id,
            backend=backend_name(),
            requested_by=actor,
        )
        enqueue_on_commit(jobs.eligibility_check_job, check.pk, queue="default")
    return check


def eligibility_check_run(*, check_id: int) -> EligibilityCheck | None:
    """A pending check asks the payer once; an answered check is left alone."""
    with transaction.atomic():
        check = (
            EligibilityCheck.objects.select_for_update(skip_locked=True)
            .select_related("coverage__payer", "patient")
            .filter(pk=check_id, result=EligibilityCheck.Result.PENDING)
            .first()
        )
        if check is None:
            return None
        backend = get_backend(check.backend)
        try:
            answer = backend.check(coverage=check.coverage, patient=check.patient)
        except EligibilityError as exc:
            check.result = EligibilityCheck.Result.ERROR
            check.message = str(exc)[:300]
            check.request_payload = exc.request_payload
            check.response_payload = exc.response_payload
        else:
            check.result = (
                EligibilityCheck.Result.ACTIVE
                if answer.active
                else EligibilityCheck.Result.INACTIVE
            )
            check.request_payload = answer.request_payload
            check.response_payload = answer.response_payload
            check.plan_description = answer.plan_description[:200]
            check.copay = answer.copay
            check.deductible_remaining = answer.deductible_remaining
            check.message = answer.message[:300]
        check.completed_at = timezone.now()
        check._change_reason = f"payer answered: {check.result}"
        check.save()
        if check.result != EligibilityCheck.Result.ACTIVE:
            publish("eligibility.failed", patient=check.patient, subject=check)
    return check


# --- Allergies -----------------------------------------------------------------------


def allergy_add(*, patient: Patient, data: dict, actor) -> Allergy:
    """Recording an allergy ends "no known allergies" and "not yet asked"."""
    allergy = Allergy(patient=patient, recorded_by=actor, **data)
    allergy.full_clean()
    with transaction.atomic():
        allergy.save()
        if patient.allergy_review != Patient.AllergyReview.RECORDED:
            patient.allergy_review = Patient.AllergyReview.RECORDED
            patient.allergy_reviewed_at = timezone.now()
            patient._change_reason = f"allergy recorded: {allergy.substance}"[:100]
            patient.save()
    return allergy


def allergy_mark_no_known(*, patient: Patient, actor) -> Patient:
    """ "No known allergies" is a statement someone made, after asking."""
    if Allergy.objects.filter(patient=patient, status=Allergy.Status.ACTIVE).exists():
        raise ApplicationError(NKA_WITH_ACTIVE_ALLERGIES)
    with transaction.atomic():
        patient.allergy_review = Patient.AllergyReview.NO_KNOWN
        patient.allergy_reviewed_at = timezone.now()
        patient._change_reason = "no known allergies (patient asked)"
        patient.save()
    return patient


def allergy_set_status(*, allergy: Allergy, status: str, reason: str, actor) -> Allergy:
    if status not in Allergy.Status.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the change.")})
    with transaction.atomic():
        allergy.status = status
        allergy._change_reason = reason.strip()[:100]
        allergy.save()
    return allergy


# --- Merge ---------------------------------------------------------------------------


def _patient_foreign_keys() -> list[tuple[type[models.Model], models.Field]]:
    """Every (model, field) whose foreign key points at Patient, in every app.

    Found at run time, so models added later (appointments, orders, claims,
    messages) are moved by a merge without being listed here. Left out: history
    tables and the access log (evidence of the past, append-only) and the merge's
    own ``merged_into`` link.
    """
    found = []
    for model in apps.get_models(include_auto_created=True):
        if hasattr(model, "instance_type") or model is AccessLog:
            continue
        for model_field in model._meta.get_fields():
            if not (
                isinstance(model_field, models.ForeignKey)
                and not model_field.auto_created
                and model_field.related_model is Patient
            ):
                continue
            if model is Patient and model_field.name == "merged_into":
                continue
            found.append((model, model_field))
    return found


def patient_merge(
    *, survivor: Patient, duplicate: Patient, reason: str, actor
) -> dict[str, int]:
    """Everything that points at the duplicate moves to the survivor, in one
    transaction; the duplicate is kept, marked "merged into" the survivor. Apps
    whose rows allow one per patient end the duplicate's first
    (``registration.merge_hooks``).

    Returns how many rows of each model moved.
    """
    if not reason.strip():
        raise ValidationError({"reason": MERGE_REASON_REQUIRED})
    if survivor.pk == duplicate.pk:
        raise ApplicationError(MERGE_SAME_PATIENT)
    for patient in (survivor, duplicate):
        if patient.status == Patient.Status.MERGED:
            raise ApplicationError(MERGE_ALREADY_MERGED % {"mrn": patient.mrn})
    note = f"merged {duplicate.mrn} into {survivor.mrn}: {reason.strip()}"[:100]
    moved: dict[str, int] = {}
    try:
        with transaction.atomic():
            # Lock both rows, in id order, so two merges cannot cross.
            locked = list(
                Patient.objects.select_for_update()
                .filter(pk__in=[survivor.pk, duplicate.pk])
                .order_by("pk")
            )
            if any(p.status == Patient.Status.MERGED for p in locked):
                raise ApplicationError(MERGE_ALREADY_MERGED % {"mrn": duplicate.mrn})
            merge_hooks.merge_prepare(
                survivor=survivor, duplicate=duplicate, note=note, actor=actor
            )
            for model, model_field in _patient_foreign_keys():
                rows = model._default_manager.filter(
                    **{model_field.attname: duplicate.pk}
                )
                count = 0
                for row in rows.iterator():
                    setattr(row, model_field.attname, survivor.pk)
                    row._change_reason = note
                    row.save()  # one by one, so each move has its history
                    count += 1
                if count:
                    label = model._meta.label
                    moved[label] = moved.get(label, 0) + count
            if (
                survivor.allergy_review != Patient.AllergyReview.RECORDED
                and duplicate.allergy_review != Patient.AllergyReview.NOT_ASKED
            ):
                survivor.allergy_review = (
                    Patient.AllergyReview.RECORDED
                    if Allergy.objects.filter(
                        patient=survivor, status=Allergy.Status.ACTIVE
                    ).exists()
                    else duplicate.allergy_review
                )
                survivor.allergy_reviewed_at = duplicate.allergy_reviewed_at
            survivor._change_reason = note
            survivor.save()
            duplicate.status = Patient.Status.MERGED
            duplicate.merged_into = survivor
            duplicate._change_reason = note
            duplicate.save()
    except IntegrityError as exc:
        raise ApplicationError(MERGE_CONFLICT % {"detail": exc}) from exc
    logger.info("%s: %s by %s", note, moved, getattr(actor, "pk", None))
    return moved


def patient_mark_deceased(
    *, patient: Patient, deceased_date: date, actor, reason: str = ""
) -> Patient:
    if deceased_date > timezone.localdate():
        raise ValidationError({"deceased_date": _("The date cannot be in the future.")})
    with transaction.atomic():
        patient.status = Patient.Status.DECEASED
        patient.deceased_date = deceased_date
        patient._change_reason = (reason or "recorded as deceased")[:100]
        patient.save()
    return patient
