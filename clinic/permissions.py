"""What each role may do, declared in one place.

Roles are Django groups (made by migration ``clinic.0002_roles``); their permissions are
kept equal to ``ROLE_PERMISSIONS`` after every ``migrate``, so a later app adds its
permissions here, next to the others.
"""

from dataclasses import dataclass

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

FRONT_DESK = "Front desk"
NURSE = "Nurse"
CLINICIAN = "Clinician"
BILLING = "Billing"
ADMINISTRATOR = "Administrator"

ROLES = [FRONT_DESK, NURSE, CLINICIAN, BILLING, ADMINISTRATOR]

ROLE_DESCRIPTIONS = {
    FRONT_DESK: _("Registers patients, verifies insurance, books appointments."),
    NURSE: _("Gives medications on the unit, collects specimens."),
    CLINICIAN: _("Orders medications and tests, reviews results."),
    BILLING: _("Turns visits into claims, posts payments, works denials."),
    ADMINISTRATOR: _("Manages staff, roles and set-up; exports compliance reports."),
}

_EVERY_ROLE = [
    "registration.view_patient",
    "registration.view_allergy",
    "registration.view_patientcontact",
    "registration.view_coverage",
    "registration.view_payer",
    "registration.view_eligibilitycheck",
    "scheduling.view_location",
    "alerts.view_staffalert",
]

_ALLERGIES = ["registration.add_allergy", "registration.change_allergy"]
# A patient's caregivers and proxies (issue #21): the front desk records them.
_CONTACTS = ["registration.add_patientcontact", "registration.change_patientcontact"]
_COVERAGE = [
    "registration.add_coverage",
    "registration.change_coverage",
    "registration.add_eligibilitycheck",
]

# Medications: clinicians order, hold, resume and discontinue; nurses chart doses
# (give, hold, refuse); administrators keep the formulary; everyone of the three
# reads the MAR. Front desk and billing see no medication data.
_MEDICATIONS_READ = [
    "medications.view_medication",
    "medications.view_medicationorder",
    "medications.view_scheduleddose",
    "medications.view_administration",
]

# Care plans (issue #20): clinicians keep problems and plans; nurses read them and
# record education contacts; both review the home medication list with the
# patient. The front desk sees only that a review is due, never the content.
_CAREPLANS_READ = [
    f"careplans.view_{model}"
    for model in ("problem", "careplan", "goal", "planactivity", "educationcontact")
]
_CAREPLANS_EDIT = [
    f"careplans.{action}_{model}"
    for model in ("problem", "careplan", "goal", "planactivity")
    for action in ("add", "change")
]
PLAN_DUE = "careplans.view_plan_due"
_HOME_MEDICATIONS_READ = [
    "medications.view_homemedication",
    "medications.view_medicationreconciliation",
]
_RECONCILE = [
    "medications.add_homemedication",
    "medications.change_homemedication",
    "medications.add_medicationreconciliation",
    "medications.change_medicationreconciliation",
]

# Results (values, flags, trends, the result report, review notes) are for the
# clinical roles and administrators; front desk and billing see that a test was
# ordered and its status, never its value.
VIEW_RESULTS = "diagnostics.view_results"
_DIAGNOSTICS_VIEW = [
    "diagnostics.view_diagnosticorder",
    "diagnostics.view_testdefinition",
    VIEW_RESULTS,
]

# Scheduling: the front desk books, moves, cancels and checks in (and undoes a
# check-in, no-show or completion the same day); clinicians and nurses see the
# schedule; double-booking and changes outside the visit's time, each with a
# reason, are separate permissions.
_SCHEDULE_VIEW = [
    "scheduling.view_appointment",
    "scheduling.view_provider",
    "scheduling.view_room",
    "scheduling.view_appointmenttype",
    "scheduling.view_availabilityrule",
    "scheduling.view_availabilityexception",
    "scheduling.view_waitlistentry",
]

# Automations: administrators draft, dry-run, switch on and measure them.
_AUTOMATIONS = [
    "automations.view_automation",
    "automations.add_automation",
    "automations.change_automation",
    "automations.view_automation_metrics",
    "automations.view_automationrun",
    "automations.view_recallentry",
]

# Patient messages (alerts): who reads the outbox and conversations, who resends a
# message or offers a freed slot by text, who keeps the reminder rules.
_MESSAGES_VIEW = ["alerts.view_notification", "alerts.view_inboundmessage"]
_MESSAGES_SEND = ["alerts.add_notification", "alerts.add_waitlistoffer"]
_REMINDER_RULES = [
    "alerts.view_reminderrule",
    "alerts.add_reminderrule",
    "alerts.change_reminderrule",
]

# Billing: billers build, scrub, submit and work claims and post remittances;
# clinicians list a visit's diagnoses; administrators read and keep the set-up.
_BILLING_READ = [
    f"billing.view_{model}"
    for model in (
        "claim",
        "claimline",
        "charge",
        "visitdiagnosis",
        "submissionbatch",
        "remittance",
        "claimpayment",
        "billingprovider",
        "feescheduleentry",
        "payerbillingprofile",
        "claimnote",
        "acknowledgement",
    )
] + ["billing.view_billing_reports"]
_VISIT_DIAGNOSES = [
    "billing.view_charge",
    "billing.view_visitdiagnosis",
    "billing.add_visitdiagnosis",
    "billing.delete_visitdiagnosis",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    FRONT_DESK: [
        *_EVERY_ROLE,
        "registration.add_patient",
        "registration.change_patient",
        "registration.restrict_patient",
        *_COVERAGE,
        *_ALLERGIES,
        *_CONTACTS,
        "diagnostics.view_diagnosticorder",
        *_SCHEDULE_VIEW,
        "scheduling.add_appointment",
        "scheduling.change_appointment",
        "scheduling.add_waitlistentry",
        "scheduling.change_waitlistentry",
        *_MESSAGES_VIEW,
        *_MESSAGES_SEND,
        PLAN_DUE,
        # Intakes patients sent before a first visit: review, accept field by field.
        "selfservice.view_intake",
        "selfservice.change_intake",
    ],
    NURSE: [
        *_EVERY_ROLE,
        *_ALLERGIES,
        *_SCHEDULE_VIEW,
        *_MEDICATIONS_READ,
        "medications.add_administration",
        "medications.change_scheduleddose",
        *_DIAGNOSTICS_VIEW,
        "diagnostics.collect_specimen",
        "diagnostics.enter_result",
        "diagnostics.view_hl7message",
        "diagnostics.import_hl7",
        *_MESSAGES_VIEW,
        *_CAREPLANS_READ,
        "careplans.add_educationcontact",
        PLAN_DUE,
        *_HOME_MEDICATIONS_READ,
        *_RECONCILE,
    ],
    CLINICIAN: [
        *_EVERY_ROLE,
        *_ALLERGIES,
        *_SCHEDULE_VIEW,
        *_MEDICATIONS_READ,
        "medications.add_medicationorder",
        "medications.change_medicationorder",
        *_DIAGNOSTICS_VIEW,
        "diagnostics.add_diagnosticorder",
        "diagnostics.change_diagnosticorder",
        "diagnostics.review_result",
        "diagnostics.acknowledge_critical",
        "diagnostics.enter_result",
        *_MESSAGES_VIEW,
        *_VISIT_DIAGNOSES,
        *_CAREPLANS_READ,
        *_CAREPLANS_EDIT,
        "careplans.add_educationcontact",
        PLAN_DUE,
        *_HOME_MEDICATIONS_READ,
        *_RECONCILE,
    ],
    BILLING: [
        *_EVERY_ROLE,
        *_COVERAGE,
        "diagnostics.view_diagnosticorder",
        *_BILLING_READ,
        *_VISIT_DIAGNOSES,
        "billing.add_claim",
        "billing.change_claim",
        "billing.submit_claim",
        "billing.post_remittance",
        "billing.add_charge",
        "billing.change_charge",
        "billing.add_claimnote",
        "billing.change_claimpayment",
    ],
    ADMINISTRATOR: [
        *_EVERY_ROLE,
        *_DIAGNOSTICS_VIEW,
        "diagnostics.add_testdefinition",
        "diagnostics.change_testdefinition",
        "diagnostics.view_turnaround",
        "diagnostics.view_hl7message",
        "diagnostics.import_hl7",
        "clinic.manage_staff",
        "clinic.view_reports",
        "django_rq.admin",
        "clinic.view_staffprofile",
        "clinic.view_accesslog",
        "auth.view_user",
        "scheduling.add_location",
        "scheduling.change_location",
        "registration.merge_patient",
        # Restricted records: mark, lift, and sign off break-glass access.
        "registration.restrict_patient",
        "registration.unrestrict_patient",
        "registration.view_breakglassgrant",
        "registration.review_breakglassgrant",
        "registration.add_payer",
        "registration.change_payer",
        *_BILLING_READ,
        "billing.add_billingprovider",
        "billing.change_billingprovider",
        "billing.add_feescheduleentry",
        "billing.change_feescheduleentry",
        "billing.add_payerbillingprofile",
        "billing.change_payerbillingprofile",
        *_MEDICATIONS_READ,
        "medications.add_medication",
        "medications.change_medication",
        *_SCHEDULE_VIEW,
        "scheduling.add_appointment",
        "scheduling.change_appointment",
        "scheduling.double_book_appointment",
        # Check-in, completion or no-show outside the visit's time, with a reason:
        # the front desk asks an administrator, so one click on the wrong day's
        # visit cannot do it (issue #16).
        "scheduling.override_visit_window",
        "scheduling.view_scheduling_metrics",
        *(
            f"scheduling.{action}_{model}"
            for model in (
                "provider",
                "room",
                "appointmenttype",
                "availabilityrule",
                "availabilityexception",
            )
            for action in ("add", "change", "delete")
        ),
        *_AUTOMATIONS,
        *_MESSAGES_VIEW,
        *_MESSAGES_SEND,
        *_REMINDER_RULES,
        *_CAREPLANS_READ,
        PLAN_DUE,
        *_HOME_MEDICATIONS_READ,
        # FHIR API clients (SMART Backend Services): register, edit, switch.
        "smart.view_backendclient",
        "smart.add_backendclient",
        "smart.change_backendclient",
    ],
}


@dataclass(frozen=True)
class RecordRule:
    """What the page of one kind of record asks of a user: its permissions and,
    optionally, the dotted path of a rule ``(*, user, record) -> bool`` about the
    one record (an alert is for its user or role, an export for its requester)."""

    permissions: tuple[str, ...]
    check: str = ""


_RESULTS_PAGE = RecordRule(("diagnostics.view_diagnosticorder", VIEW_RESULTS))

# Kinds of record whose own page asks more than ``<app>.view_<model>``. Every other
# page about a record (its history page, for one) asks the same as the record's
# page: never wider. A new kind with a narrower page is added here.
RECORD_RULES: dict[str, RecordRule] = {
    "alerts.staffalert": RecordRule(
        ("alerts.view_staffalert",), "alerts.selectors.alert_readable_by"
    ),
    "diagnostics.diagnosticorder": _RESULTS_PAGE,  # its review note
    "diagnostics.observation": _RESULTS_PAGE,
    "diagnostics.criticalacknowledgement": _RESULTS_PAGE,
    "clinic.reportexport": RecordRule(
        ("clinic.view_reports",), "clinic.permissions.export_is_own"
    ),
}


def record_rule(model) -> RecordRule:
    """The rule of a kind of record (a model class or instance)."""
    opts = model._meta
    return RECORD_RULES.get(opts.label_lower) or RecordRule(
        (f"{opts.app_label}.view_{opts.model_name}",)
    )


def may_view_record(user, record) -> bool:
    """Whether ``user`` may see ``record`` where its own page would show it."""
    rule = record_rule(record)
    if not user.has_perms(rule.permissions):
        return False
    return not rule.check or import_string(rule.check)(user=user, record=record)


def export_is_own(*, user, record) -> bool:
    """A report export is for the administrator who asked for it."""
    return record.requested_by_id == user.pk


def role_of(user) -> str | None:
    """The user's role (their first role group), or None."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_clinic_role", False)
    if cached is False:
        names = {group.name for group in user.groups.all()}
        cached = next((role for role in ROLES if role in names), None)
        user._clinic_role = cached
    return cached


def sync_role_permissions(*, group_model, permission_model) -> None:
    """Make every role group hold exactly the permissions declared above.

    Takes the models as arguments so a migration can pass its historical models.
    """
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            found = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)


class RoleRequiredMixin(PermissionRequiredMixin):
    """A page for the roles that hold ``permission_required``.

    Anonymous users go to the log-in page (LoginRequiredMiddleware); a logged-in user
    without the permission gets 403.
    """

    raise_exception = True


class AnyStaffMixin:
    """A page for every logged-in staff member, whatever the role."""

    any_staff = True
