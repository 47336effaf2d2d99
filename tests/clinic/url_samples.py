"""The sample tables of the URL × role walk (tests/clinic/test_url_roles.py): for a
pattern that takes arguments, a builder that makes a row for it (given the walk's
users by role) and returns its URL arguments, and, when the rule is decided per
request, the permissions that open it; query strings for pages that show a
patient only when asked."""

from django.urls import reverse

from tests.registration.factories import (
    AllergyFactory,
    CoverageFactory,
    PatientContactFactory,
    PatientFactory,
)
from tests.selfservice.support import small_clinic

# Old addresses of moved pages, and addresses that only lead on to a page ("Show
# me how" to where the tour resumes): they answer an allowed role with a redirect.
MOVED = {
    "alerts:rule-create",
    "alerts:rule-edit",
    "alerts:rule-list",
    "training:tour-start",
}

# Query strings for pages that show a patient only when asked (a search, a sample).
QUERIES = {
    "registration:patient-list": {"q": "a"},
    "automations:preview": {"mrn": "PREVIEW-1"},
    "registration:patient-lookup": {"field": "patient", "patient": "LOOKUP01"},
}

# The FHIR API's answer without a token where it is not 401.
TOKEN_ANSWERS = {"fhir:not-found": 404}


def _fhir_type(users):
    return {"type_name": "Patient"}, None


def _fhir_instance(users):
    return {"type_name": "Patient", "ident": "1"}, None


def _fhir_version(users):
    return {"type_name": "Patient", "ident": "1", "version_id": "1"}, None


def _patient_history(users):
    allergy = AllergyFactory()
    return (
        {"app_label": "registration", "model_name": "allergy", "pk": allergy.pk},
        ["registration.view_allergy"],
    )


def _staff_member(users):
    return {"pk": users["Nurse"].pk}, None


def _nurses_alert(users):
    from alerts.services import alert_raise

    alert = alert_raise(
        kind="task",
        title="Check the infusion pump",
        role="Nurse",
        patient=PatientFactory(),
    )
    # Only the role the alert is for may open it; everyone else gets 403.
    return {"pk": alert.pk}, None, {"Nurse"}


def _report(users):
    return {"slug": "access-log"}, None


def _admins_export(users):
    from django.core.files.base import ContentFile

    from clinic.models import ReportExport
    from clinic.storage import exports_storage

    exports_storage().save("sample.csv", ContentFile(b"When\n"))
    export = ReportExport.objects.create(
        requested_by=users["Administrator"],
        report="access-log",
        format="csv",
        status="done",
        file_name="sample.csv",
    )
    # Only the administrator who asked for it; other administrators get 403 too.
    return {"pk": export.pk}, None, {"Administrator"}


def _patient(users):
    return {"pk": PatientFactory().pk}, None


def _restricted_patient(users):
    return {"pk": PatientFactory(restriction="public_figure").pk}, None


def _coverage(users):
    return {"pk": CoverageFactory().pk}, None


def _contact(users):
    return {"pk": PatientContactFactory().pk}, None


def _allergy(users):
    return {"pk": AllergyFactory().pk}, None


def _coverage_card(users):
    from django.core.files.base import ContentFile

    coverage = CoverageFactory()
    coverage.card_front.save("card.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 9))
    return {"pk": coverage.pk, "side": "front"}, None


def _mar_patient(users):
    from tests.registration.factories import PatientFactory

    return {"patient_pk": PatientFactory().pk}, None


def _medication_order(users):
    from tests.medications.factories import MedicationOrderFactory

    return {"pk": MedicationOrderFactory().pk}, None


def _prn_order(users):
    from decimal import Decimal

    from tests.medications.factories import MedicationOrderFactory

    order = MedicationOrderFactory(
        frequency="prn",
        interval_hours=None,
        prn_min_interval_hours=Decimal("4"),
        prn_max_per_24h=4,
    )
    return {"pk": order.pk}, None


def _scheduled_dose(users):
    from django.utils import timezone

    from medications.models import ScheduledDose
    from tests.medications.factories import MedicationOrderFactory

    dose = ScheduledDose.objects.create(
        order=MedicationOrderFactory(), due_at=timezone.now()
    )
    return {"pk": dose.pk}, None


def _formulary_entry(users):
    from tests.medications.factories import MedicationFactory

    return {"pk": MedicationFactory().pk}, None


def _diagnostic_order(users):
    from tests.diagnostics.factories import make_order

    return {"pk": make_order(actor=users["Clinician"]).pk}, None


def _diagnostic_result(users):
    from diagnostics.services import results_enter
    from tests.diagnostics.factories import make_order

    order = make_order(actor=users["Clinician"], panels=(), tests=("K",))
    [observation] = results_enter(
        order=order,
        values={order.items.get().test: "7.1"},
        actor=users["Clinician"],
    )
    return {"pk": observation.pk}, None


def _hl7_message(users):
    from diagnostics.hl7v2.importer import hl7_receive

    [outcome] = hl7_receive(text="MSH|^~\\&|LAB|X|C|C|2026||ADT^A01|1|P|2.5.1\r")
    return {"pk": outcome.message.pk}, None


def _hl7_upload(users):
    from diagnostics.models import Hl7Upload

    upload = Hl7Upload.objects.create(
        file_name="a.hl7", text="MSH|", uploaded_by=users["Nurse"]
    )
    return {"pk": upload.pk}, None


def _remittance_upload(users):
    from billing.models import RemittanceUpload

    upload = RemittanceUpload.objects.create(
        file_name="a.835", text="ISA", uploaded_by=users["Billing"]
    )
    return {"pk": upload.pk}, None


def _appointment(users):
    from tests.scheduling.factories import AppointmentFactory

    return {"pk": AppointmentFactory().pk}, None


def _waitlist_entry(users):
    from scheduling.models import WaitlistEntry
    from tests.registration.factories import PatientFactory
    from tests.scheduling.factories import AppointmentTypeFactory

    entry = WaitlistEntry.objects.create(
        patient=PatientFactory(),
        appointment_type=AppointmentTypeFactory(),
        until="2030-01-01",
    )
    return {"pk": entry.pk}, None


def _provider(users):
    from tests.scheduling.factories import ProviderFactory

    return {"pk": ProviderFactory().pk}, None


def _provider_feed(users):
    from scheduling.models import Provider
    from tests.scheduling.factories import ProviderFactory

    return {
        "token": ProviderFactory(feed_token=Provider.new_feed_token()).feed_token
    }, None


def _reminder_rule(users):
    from tests.alerts.factories import ReminderRuleFactory

    return {"pk": ReminderRuleFactory().pk}, None


def _failed_message(users):
    from django.utils import timezone

    from alerts.models import Notification

    now = timezone.now()
    message = Notification.objects.create(
        patient=PatientFactory(),
        channel="sms",
        body="Reminder",
        scheduled_for=now,
        due_at=now,
        status="failed",
    )
    return {"pk": message.pk}, None


def _claim(users):
    from tests.billing.factories import billed_claim

    return {"pk": billed_claim().pk}, None


def _claim_line(users):
    from tests.billing.factories import billed_claim

    claim = billed_claim(extra_codes=["36415"])
    return {"pk": claim.pk, "line": claim.lines.order_by("line_number")[1].pk}, None


def _billing_visit(users):
    from tests.billing.factories import completed_visit

    return {"pk": completed_visit().pk}, None


def _charge(users):
    from tests.billing.factories import completed_visit

    return {"pk": completed_visit().charges.get().pk}, None


def _visit_diagnosis(users):
    from tests.billing.factories import completed_visit

    return {"pk": completed_visit().diagnoses.get().pk}, None


def _submission_batch(users):
    from billing.services import claim_mark_ready, claims_submit
    from tests.billing.factories import billed_claim

    claim_mark_ready(claim=billed_claim(), actor=None)
    return {"pk": claims_submit(actor=None).pk}, None


def _remittance(users):
    from decimal import Decimal

    from billing.models import ClaimPayment, Remittance

    remittance = Remittance.objects.create(
        trace_number="T1",
        payer_identifier="1999999999",
        payment_amount=Decimal("0.00"),
        file_name="sample.835",
        content="",
    )
    ClaimPayment.objects.create(
        remittance=remittance,
        patient_control_number="UNKNOWN-1",
        status_code="1",
        charge_amount=Decimal("10.00"),
        paid_amount=Decimal("0.00"),
    )
    return {"pk": remittance.pk}, None


def _remittance_exception(users):
    from billing.models import ClaimPayment

    _remittance(users)
    return {"pk": ClaimPayment.objects.latest("pk").pk}, None


def _api_client(users):
    from smart.models import BackendClient

    client = BackendClient.objects.create(
        name="Sample EHR", jwks={"keys": []}, allowed_scopes="system/*.rs"
    )
    return {"pk": client.pk}, None


# URL name -> function(users) -> (kwargs, permissions when the view decides at run
# time[, the only roles allowed when the view also checks the object])
def _automation(users):
    from tests.automations.factories import AutomationFactory

    return {"pk": AutomationFactory(enabled=False).pk}, None


def _patient_lookup(users):
    PatientFactory(mrn="LOOKUP01")  # QUERIES types its MRN
    return {}, None


def _automation_preview(users):
    # QUERIES names it as the sample patient, typed with a dash (MRNs are stored
    # in the normalised form that registration.selectors.patient_by_mrn matches).
    PatientFactory(mrn="PREVIEW1")
    return _automation(users)


def _automation_condition(users):
    from tests.automations.factories import ConditionFactory

    return {"pk": ConditionFactory().pk}, None


def _automation_action(users):
    from tests.automations.factories import ActionFactory

    return {"pk": ActionFactory().pk}, None


def _automation_run(users):
    from automations.events import publish
    from automations.models import AutomationRun
    from tests.automations.factories import AutomationFactory

    event = publish("patient.registered", patient=PatientFactory())
    run = AutomationRun.objects.create(automation=AutomationFactory(), event=event)
    return {"pk": run.pk}, None


def _automation_starter(users):
    return {"slug": "no-show-follow-up"}, None


def _problem(users):
    from tests.careplans.factories import diabetic_plan

    return {"pk": diabetic_plan().problem_id}, None


def _care_plan(users):
    from tests.careplans.factories import diabetic_plan

    return {"pk": diabetic_plan().pk}, None


def _education_activity(users):
    from tests.careplans.factories import diabetic_plan

    return {"pk": diabetic_plan().activities.get(kind="education").pk}, None


def _home_medication(users):
    from medications.services import HomeDrug, home_medication_add

    home = home_medication_add(
        patient=PatientFactory(),
        drug=HomeDrug(
            name="Aspirin", typed_reason="OTC", dose="81 mg", frequency="daily"
        ),
        actor=users["Nurse"],
    )
    return {"pk": home.pk}, None


def _own_link(users, purpose="visit"):
    """A new patient's first visit and its signed link (no log-in)."""
    from selfservice import links

    visit = small_clinic().book()
    return {"pk": visit.pk, "token": links.token_for(visit, purpose=purpose)}, None


def _intake(users):
    from django.core.files.base import ContentFile

    from selfservice.services import intake_submit

    intake = intake_submit(appointment=small_clinic().book(), proposed={}, cards={})
    intake.card_front.save("card.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 9))
    return {"pk": intake.pk}, None


SAMPLES = {
    "selfservice:visit": _own_link,
    "selfservice:visit-confirm": _own_link,
    "selfservice:visit-cancel": _own_link,
    "selfservice:visit-move": _own_link,
    "selfservice:intake": lambda users: _own_link(users, purpose="intake"),
    "selfservice:intake-review": _intake,
    "selfservice:intake-decide": _intake,
    "selfservice:intake-card": lambda users: (
        {**_intake(users)[0], "side": "front"},
        None,
    ),
    "careplans:problems": _mar_patient,
    "careplans:problem-resolve": _problem,
    "careplans:plan-create": _problem,
    "careplans:plan": _care_plan,
    "careplans:activity-create": _care_plan,
    "careplans:education-record": _education_activity,
    "medications:home-list": _mar_patient,
    "medications:review-start": _mar_patient,
    "medications:review-complete": _mar_patient,
    "medications:review-decide": _home_medication,
    "fhir:type": _fhir_type,
    "fhir:type-history": _fhir_type,
    "fhir:instance": _fhir_instance,
    "fhir:instance-history": _fhir_instance,
    "fhir:vread": _fhir_version,
    "fhir:not-found": lambda users: ({"rest": "nowhere"}, None),
    "fhir:group-export": lambda users: ({"ident": "1"}, None),
    "fhir:export-status": lambda users: ({"ident": "1"}, None),
    "fhir:export-file": lambda users: ({"ident": "1", "type_name": "Patient"}, None),
    "automations:edit": _automation,
    "automations:toggle": _automation,
    "automations:copy": _automation,
    "automations:dry-run": _automation,
    "automations:preview": _automation_preview,
    "registration:patient-lookup": _patient_lookup,
    "automations:metrics": _automation,
    "automations:condition-form": _automation,
    "automations:condition-add": _automation,
    "automations:action-form": _automation,
    "automations:action-add": _automation,
    "automations:condition-remove": _automation_condition,
    "automations:action-change": _automation_action,
    "automations:run-detail": _automation_run,
    "automations:starter-copy": _automation_starter,
    "clinic:report": _report,
    "clinic:report-csv": _report,
    "clinic:report-export": _report,
    "clinic:export-detail": _admins_export,
    "clinic:export-download": _admins_export,
    "alerts:acknowledge": _nurses_alert,
    "alerts:resolve": _nurses_alert,
    "alerts:rule-edit": _reminder_rule,
    "automations:rule-edit": _reminder_rule,
    "alerts:resend": _failed_message,
    "alerts:offer-send": _appointment,
    "clinic:history": _patient_history,
    "diagnostics:order-detail": _diagnostic_order,
    "diagnostics:order-cancel": _diagnostic_order,
    "diagnostics:order-collect": _diagnostic_order,
    "diagnostics:order-send": _diagnostic_order,
    "diagnostics:result-entry": _diagnostic_order,
    "diagnostics:order-review": _diagnostic_order,
    "diagnostics:requisition-pdf": _diagnostic_order,
    "diagnostics:label-pdf": _diagnostic_order,
    "diagnostics:report-pdf": _diagnostic_order,
    "diagnostics:observation-acknowledge": _diagnostic_result,
    "diagnostics:hl7-detail": _hl7_message,
    "diagnostics:hl7-reprocess": _hl7_message,
    "diagnostics:hl7-set-aside": _hl7_message,
    "diagnostics:hl7-upload-detail": _hl7_upload,
    "scheduling:appointment-detail": _appointment,
    "scheduling:appointment-action": _appointment,
    "scheduling:appointment-check-in": _appointment,
    "scheduling:appointment-cancel": _appointment,
    "scheduling:appointment-undo": _appointment,
    "scheduling:appointment-move": _appointment,
    "scheduling:appointment-candidates": _appointment,
    "scheduling:waitlist-remove": _waitlist_entry,
    "scheduling:provider-feed": _provider,
    "scheduling:feed": _provider_feed,
    "clinic:staff-edit": _staff_member,
    "clinic:staff-deactivate": _staff_member,
    "clinic:staff-reactivate": _staff_member,
    "clinic:staff-password-reset": _staff_member,
    "clinic:staff-unlock": _staff_member,
    "clinic:staff-two-factor-reset": _staff_member,
    "registration:patient-chart": _patient,
    "registration:patient-edit": _patient,
    "registration:patient-merge": _patient,
    "registration:coverage-create": _patient,
    "registration:allergy-create": _patient,
    "registration:allergy-none": _patient,
    "registration:coverage-verify": _coverage,
    "registration:allergy-status": _allergy,
    "registration:contact-create": _patient,
    "registration:contact-edit": _contact,
    "registration:contact-end": _contact,
    "registration:coverage-card": _coverage_card,
    "registration:break-glass": _restricted_patient,
    "registration:patient-restriction": _patient,
    "medications:patient-mar": _mar_patient,
    "medications:wristband": _mar_patient,
    "medications:mar-print": _mar_patient,
    "medications:order-create": _mar_patient,
    "medications:order-detail": _medication_order,
    "medications:prn-give": _prn_order,
    "medications:dose-give": _scheduled_dose,
    "medications:dose-status": _scheduled_dose,
    "medications:formulary-edit": _formulary_entry,
    "billing:claim-detail": _claim,
    "billing:claim-ready": _claim,
    "billing:claim-scrub": _claim,
    "billing:claim-correct": _claim,
    "billing:claim-void": _claim,
    "billing:claim-close": _claim,
    "billing:claim-edit": _claim,
    "billing:claim-line-add": _claim,
    "billing:claim-line-edit": _claim_line,
    "billing:claim-line-remove": _claim_line,
    "billing:claim-assign": _claim,
    "billing:claim-note": _claim,
    "billing:claim-pdf": _claim,
    "billing:visit-charges": _billing_visit,
    "billing:charge-add": _billing_visit,
    "billing:diagnosis-add": _billing_visit,
    "billing:claim-create": _billing_visit,
    "billing:charge-edit": _charge,
    "billing:charge-remove": _charge,
    "billing:diagnosis-remove": _visit_diagnosis,
    "billing:diagnosis-to-problem": _visit_diagnosis,
    "billing:batch-detail": _submission_batch,
    "billing:batch-download": _submission_batch,
    "billing:batch-retry": _submission_batch,
    "billing:remittance-detail": _remittance,
    "billing:remittance-upload-detail": _remittance_upload,
    "billing:exception-resolve": _remittance_exception,
    "smart:client-detail": _api_client,
    "smart:client-edit": _api_client,
    "smart:client-switch-off": _api_client,
    "smart:client-switch-on": _api_client,
    "training:tour-progress": lambda users: ({"slug": "nurse"}, None),
    "training:tour-start": lambda users: ({"slug": "nurse"}, None),
}


def sample_url(name: str, users, perms):
    """(URL, permissions, roles it is limited to or None) of one pattern, its sample
    row made when the pattern needs one."""
    kwargs, only_roles = {}, None
    if name in SAMPLES:
        kwargs, sample_perms, *rest = SAMPLES[name](users)
        perms = sample_perms or perms
        only_roles = rest[0] if rest else None
    return reverse(name, kwargs=kwargs) if kwargs else reverse(name), perms, only_roles
