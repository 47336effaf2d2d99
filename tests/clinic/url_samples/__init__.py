"""The sample tables of the URL × role walk (tests/clinic/test_url_roles.py): for a
pattern that takes arguments, a builder that makes a row for it (given the walk's
users by role) and returns its URL arguments, and, when the rule is decided per
request, the permissions that open it; query strings for pages that show a
patient only when asked."""

from django.urls import reverse

from tests.clinic.url_samples import care, office

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

# URL name -> function(users) -> (kwargs, permissions when the view decides at run
# time[, the only roles allowed when the view also checks the object])
SAMPLES = {
    "selfservice:visit": office.own_link,
    "selfservice:visit-confirm": office.own_link,
    "selfservice:visit-cancel": office.own_link,
    "selfservice:visit-move": office.own_link,
    "selfservice:intake": lambda users: office.own_link(users, purpose="intake"),
    "selfservice:intake-review": office.intake,
    "selfservice:intake-decide": office.intake,
    "selfservice:intake-card": lambda users: (
        {**office.intake(users)[0], "side": "front"},
        None,
    ),
    "careplans:problems": care.mar_patient,
    "careplans:problem-resolve": office.problem,
    "careplans:plan-create": office.problem,
    "careplans:plan": office.care_plan,
    "careplans:activity-create": office.care_plan,
    "careplans:education-record": office.education_activity,
    "medications:home-list": care.mar_patient,
    "medications:review-start": care.mar_patient,
    "medications:review-complete": care.mar_patient,
    "medications:review-decide": office.home_medication,
    "fhir:type": care.fhir_type,
    "fhir:type-history": care.fhir_type,
    "fhir:instance": care.fhir_instance,
    "fhir:instance-history": care.fhir_instance,
    "fhir:vread": care.fhir_version,
    "fhir:not-found": lambda users: ({"rest": "nowhere"}, None),
    "fhir:group-export": lambda users: ({"ident": "1"}, None),
    "fhir:export-status": lambda users: ({"ident": "1"}, None),
    "fhir:export-file": lambda users: ({"ident": "1", "type_name": "Patient"}, None),
    "automations:edit": office.automation,
    "automations:toggle": office.automation,
    "automations:copy": office.automation,
    "automations:dry-run": office.automation,
    "automations:preview": office.automation_preview,
    "registration:patient-lookup": office.patient_lookup,
    "automations:metrics": office.automation,
    "automations:condition-form": office.automation,
    "automations:condition-add": office.automation,
    "automations:action-form": office.automation,
    "automations:action-add": office.automation,
    "automations:condition-remove": office.automation_condition,
    "automations:action-change": office.automation_action,
    "automations:run-detail": office.automation_run,
    "automations:starter-copy": office.automation_starter,
    "clinic:report": care.report,
    "clinic:report-csv": care.report,
    "clinic:report-export": care.report,
    "clinic:export-detail": care.admins_export,
    "clinic:export-download": care.admins_export,
    "alerts:acknowledge": care.nurses_alert,
    "alerts:resolve": care.nurses_alert,
    "alerts:rule-edit": care.reminder_rule,
    "automations:rule-edit": care.reminder_rule,
    "alerts:resend": care.failed_message,
    "alerts:offer-send": care.appointment,
    "clinic:history": care.patient_history,
    "diagnostics:order-detail": care.diagnostic_order,
    "diagnostics:order-cancel": care.diagnostic_order,
    "diagnostics:order-collect": care.diagnostic_order,
    "diagnostics:order-send": care.diagnostic_order,
    "diagnostics:result-entry": care.diagnostic_order,
    "diagnostics:order-review": care.diagnostic_order,
    "diagnostics:requisition-pdf": care.diagnostic_order,
    "diagnostics:label-pdf": care.diagnostic_order,
    "diagnostics:report-pdf": care.diagnostic_order,
    "diagnostics:observation-acknowledge": care.diagnostic_result,
    "diagnostics:hl7-detail": care.hl7_message,
    "diagnostics:hl7-reprocess": care.hl7_message,
    "diagnostics:hl7-set-aside": care.hl7_message,
    "diagnostics:hl7-upload-detail": care.hl7_upload,
    "scheduling:appointment-detail": care.appointment,
    "scheduling:appointment-action": care.appointment,
    "scheduling:appointment-check-in": care.appointment,
    "scheduling:appointment-cancel": care.appointment,
    "scheduling:appointment-undo": care.appointment,
    "scheduling:appointment-move": care.appointment,
    "scheduling:appointment-candidates": care.appointment,
    "scheduling:waitlist-remove": care.waitlist_entry,
    "scheduling:provider-feed": care.provider,
    "scheduling:feed": care.provider_feed,
    "clinic:staff-edit": care.staff_member,
    "clinic:staff-deactivate": care.staff_member,
    "clinic:staff-reactivate": care.staff_member,
    "clinic:staff-password-reset": care.staff_member,
    "clinic:staff-unlock": care.staff_member,
    "clinic:staff-two-factor-reset": care.staff_member,
    "registration:patient-chart": care.patient,
    "registration:patient-edit": care.patient,
    "registration:patient-merge": care.patient,
    "registration:coverage-create": care.patient,
    "registration:allergy-create": care.patient,
    "registration:allergy-none": care.patient,
    "registration:coverage-verify": care.coverage,
    "registration:allergy-status": care.allergy,
    "registration:contact-create": care.patient,
    "registration:contact-edit": care.contact,
    "registration:contact-end": care.contact,
    "registration:coverage-card": care.coverage_card,
    "registration:break-glass": care.restricted_patient,
    "registration:patient-restriction": care.patient,
    "medications:patient-mar": care.mar_patient,
    "medications:wristband": care.mar_patient,
    "medications:mar-print": care.mar_patient,
    "medications:order-create": care.mar_patient,
    "medications:order-detail": care.medication_order,
    "medications:prn-give": care.prn_order,
    "medications:dose-give": care.scheduled_dose,
    "medications:dose-status": care.scheduled_dose,
    "medications:formulary-edit": care.formulary_entry,
    "billing:claim-detail": office.claim,
    "billing:claim-ready": office.claim,
    "billing:claim-scrub": office.claim,
    "billing:claim-correct": office.claim,
    "billing:claim-void": office.claim,
    "billing:claim-close": office.claim,
    "billing:claim-edit": office.claim,
    "billing:claim-line-add": office.claim,
    "billing:claim-line-edit": office.claim_line,
    "billing:claim-line-remove": office.claim_line,
    "billing:claim-assign": office.claim,
    "billing:claim-note": office.claim,
    "billing:claim-pdf": office.claim,
    "billing:visit-charges": office.billing_visit,
    "billing:charge-add": office.billing_visit,
    "billing:diagnosis-add": office.billing_visit,
    "billing:claim-create": office.billing_visit,
    "billing:charge-edit": office.charge,
    "billing:charge-remove": office.charge,
    "billing:diagnosis-remove": office.visit_diagnosis,
    "billing:diagnosis-to-problem": office.visit_diagnosis,
    "billing:batch-detail": office.submission_batch,
    "billing:batch-download": office.submission_batch,
    "billing:batch-retry": office.submission_batch,
    "billing:remittance-detail": office.remittance,
    "billing:remittance-upload-detail": care.remittance_upload,
    "billing:exception-resolve": office.remittance_exception,
    "smart:client-detail": office.api_client,
    "smart:client-edit": office.api_client,
    "smart:client-switch-off": office.api_client,
    "smart:client-switch-on": office.api_client,
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
