"""Who may see a restricted patient, and the gate in front of every page about one.

A restricted patient's pages open only for a user holding a live break-glass grant
on that patient (``registration.breakglass.break_glass``). The gate sits in front of
the view (``RestrictedPatientMiddleware``): it finds the patient of the page from
the URL alone, through ``PATIENT_PAGES``, so a GET and a POST are refused alike and
before the view reads or writes anything. Lists (search, schedule, MAR, inbox) show
"Restricted patient" instead of who it is: ``mark_hidden``.

``tests/registration/test_restriction_gate.py`` walks every URL pattern that takes a
patient or one of their records and fails on one missing here.
"""

from collections.abc import Callable, Iterable
from functools import cache
from operator import attrgetter

from django.apps import apps
from django.conf import settings
from django.db import models
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from clinic.models import AccessLog
from clinic.record_filters import filter_record
from registration.models import BreakGlassGrant, Patient

RESTRICTED_LABEL = _("Restricted patient")

# URL name -> (model label, the URL keyword holding its pk), or a function of the
# URL's keywords giving the same pair. The patient is reached from that model by
# following its foreign keys (``patient_path``).
PATIENT_PAGES: dict[str, tuple[str, str] | Callable[[dict], tuple[str, str]]] = {
    # registration
    "registration:patient-chart": ("registration.Patient", "pk"),
    "registration:patient-edit": ("registration.Patient", "pk"),
    "registration:patient-merge": ("registration.Patient", "pk"),
    "registration:coverage-create": ("registration.Patient", "pk"),
    "registration:allergy-create": ("registration.Patient", "pk"),
    "registration:allergy-none": ("registration.Patient", "pk"),
    "registration:allergy-status": ("registration.Allergy", "pk"),
    "registration:contact-create": ("registration.Patient", "pk"),
    "registration:contact-edit": ("registration.PatientContact", "pk"),
    "registration:contact-end": ("registration.PatientContact", "pk"),
    "registration:coverage-verify": ("registration.Coverage", "pk"),
    "registration:coverage-card": ("registration.Coverage", "pk"),
    # selfservice (the front desk's intake pages)
    "selfservice:intake-review": ("selfservice.Intake", "pk"),
    "selfservice:intake-decide": ("selfservice.Intake", "pk"),
    "selfservice:intake-card": ("selfservice.Intake", "pk"),
    # any record's history
    "clinic:history": lambda kw: (f"{kw['app_label']}.{kw['model_name']}", "pk"),
    # medications
    "medications:patient-mar": ("registration.Patient", "patient_pk"),
    "medications:wristband": ("registration.Patient", "patient_pk"),
    "medications:mar-print": ("registration.Patient", "patient_pk"),
    "medications:order-create": ("registration.Patient", "patient_pk"),
    "medications:order-detail": ("medications.MedicationOrder", "pk"),
    "medications:prn-give": ("medications.MedicationOrder", "pk"),
    "medications:dose-give": ("medications.ScheduledDose", "pk"),
    "medications:dose-status": ("medications.ScheduledDose", "pk"),
    "medications:home-list": ("registration.Patient", "patient_pk"),
    "medications:review-start": ("registration.Patient", "patient_pk"),
    "medications:review-complete": ("registration.Patient", "patient_pk"),
    "medications:review-decide": ("medications.HomeMedication", "pk"),
    # care plans
    "careplans:problems": ("registration.Patient", "patient_pk"),
    "careplans:problem-resolve": ("careplans.Problem", "pk"),
    "careplans:plan-create": ("careplans.Problem", "pk"),
    "careplans:plan": ("careplans.CarePlan", "pk"),
    "careplans:activity-create": ("careplans.CarePlan", "pk"),
    "careplans:education-record": ("careplans.PlanActivity", "pk"),
    # diagnostics
    "diagnostics:order-detail": ("diagnostics.DiagnosticOrder", "pk"),
    "diagnostics:order-cancel": ("diagnostics.DiagnosticOrder", "pk"),
    "diagnostics:order-collect": ("diagnostics.DiagnosticOrder", "pk"),
    "diagnostics:order-send": ("diagnostics.DiagnosticOrder", "pk"),
    "diagnostics:result-entry": ("diagnostics.DiagnosticOrder", "pk"),
    "diagnostics:order-review": ("diagnostics.DiagnosticOrder", "pk"),
    "diagnostics:requisition-pdf": ("diagnostics.DiagnosticOrder", "pk"),
    "diagnostics:label-pdf": ("diagnostics.DiagnosticOrder", "pk"),
    "diagnostics:report-pdf": ("diagnostics.DiagnosticOrder", "pk"),
    "diagnostics:observation-acknowledge": ("diagnostics.Observation", "pk"),
    # scheduling
    "scheduling:appointment-detail": ("scheduling.Appointment", "pk"),
    "scheduling:appointment-action": ("scheduling.Appointment", "pk"),
    "scheduling:appointment-check-in": ("scheduling.Appointment", "pk"),
    "scheduling:appointment-cancel": ("scheduling.Appointment", "pk"),
    "scheduling:appointment-move": ("scheduling.Appointment", "pk"),
    "scheduling:appointment-candidates": ("scheduling.Appointment", "pk"),
    "scheduling:appointment-undo": ("scheduling.Appointment", "pk"),
    "scheduling:waitlist-remove": ("scheduling.WaitlistEntry", "pk"),
    # messages
    "alerts:resend": ("alerts.Notification", "pk"),
    "alerts:acknowledge": ("alerts.StaffAlert", "pk"),
    "alerts:resolve": ("alerts.StaffAlert", "pk"),
    "alerts:offer-send": ("scheduling.Appointment", "pk"),
    # billing
    "billing:claim-detail": ("billing.Claim", "pk"),
    "billing:claim-ready": ("billing.Claim", "pk"),
    "billing:claim-scrub": ("billing.Claim", "pk"),
    "billing:claim-correct": ("billing.Claim", "pk"),
    "billing:claim-void": ("billing.Claim", "pk"),
    "billing:claim-close": ("billing.Claim", "pk"),
    "billing:claim-edit": ("billing.Claim", "pk"),
    "billing:claim-line-add": ("billing.Claim", "pk"),
    "billing:claim-line-edit": ("billing.Claim", "pk"),
    "billing:claim-line-remove": ("billing.Claim", "pk"),
    "billing:claim-assign": ("billing.Claim", "pk"),
    "billing:claim-note": ("billing.Claim", "pk"),
    "billing:claim-pdf": ("billing.Claim", "pk"),
    "billing:visit-charges": ("scheduling.Appointment", "pk"),
    "billing:charge-add": ("scheduling.Appointment", "pk"),
    "billing:diagnosis-add": ("scheduling.Appointment", "pk"),
    "billing:claim-create": ("scheduling.Appointment", "pk"),
    "billing:charge-edit": ("billing.Charge", "pk"),
    "billing:charge-remove": ("billing.Charge", "pk"),
    "billing:diagnosis-remove": ("billing.VisitDiagnosis", "pk"),
    "billing:diagnosis-to-problem": ("billing.VisitDiagnosis", "pk"),
    "billing:exception-resolve": ("billing.ClaimPayment", "pk"),
    # automations
    "automations:run-detail": ("automations.AutomationRun", "pk"),
}

# Relations never followed to find a record's patient.
_NOT_FOLLOWED = {settings.AUTH_USER_MODEL.lower(), "contenttypes.contenttype"}


@cache
def patient_path(model: type[models.Model]) -> str | None:
    """The lookup path from ``model`` to its patient ("" for Patient itself,
    "order__patient" for a dose), by the fewest foreign keys; None: no patient."""
    if model is Patient:
        return ""
    frontier: list[tuple[type[models.Model], str]] = [(model, "")]
    seen = {model}
    for _depth in range(4):
        following = []
        for current, prefix in frontier:
            for field in current._meta.get_fields():
                if not (field.many_to_one or field.one_to_one) or field.auto_created:
                    continue
                target = field.related_model
                if target is None or target._meta.label_lower in _NOT_FOLLOWED:
                    continue
                path = f"{prefix}{field.name}"
                if target is Patient:
                    return path
                if target not in seen:
                    seen.add(target)
                    following.append((target, f"{path}__"))
        frontier = following
    return None


def page_patient(*, view_name: str, kwargs: dict) -> tuple[int, str] | None:
    """(patient id, restriction) of the page's patient, or None when the page is
    not about one patient (or its record does not exist: the view answers 404)."""
    spec = PATIENT_PAGES.get(view_name)
    if spec is None:
        return None
    label, keyword = spec(kwargs) if callable(spec) else spec
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    path = patient_path(model)
    if path is None or keyword not in kwargs:
        return None
    prefix = f"{path}__" if path else ""
    try:
        row = (
            model._default_manager.filter(pk=kwargs[keyword])
            .values_list(f"{prefix}id", f"{prefix}restriction")
            .first()
        )
    except (TypeError, ValueError):
        return None
    if row is None or row[0] is None:
        return None
    return row


def live_grant(*, user, patient_id: int, now=None) -> BreakGlassGrant | None:
    """The user's break-glass grant on the patient that has not yet expired."""
    now = now or timezone.now()
    return (
        BreakGlassGrant.objects.filter(
            user_id=user.pk,
            patient_id=patient_id,
            granted_at__lte=now,
            expires_at__gt=now,
        )
        .order_by("-expires_at")
        .first()
    )


def may_open(*, user, patient: Patient, request=None) -> bool:
    """A restricted patient's record opens for a user with a live grant only."""
    if not patient.restriction:
        return True
    granted = getattr(request, "break_glass_patients", None) if request else None
    if granted is not None and patient.pk in granted:
        return True
    return live_grant(user=user, patient_id=patient.pk) is not None


def hidden_patient_ids(*, user, restricted_ids: Iterable[int]) -> set[int]:
    """Of these restricted patients, those the user holds no live grant for (one
    query; none when the list is empty, as it is on most pages)."""
    wanted = set(restricted_ids)
    if not wanted:
        return set()
    now = timezone.now()
    granted = BreakGlassGrant.objects.filter(
        user_id=user.pk,
        patient_id__in=wanted,
        granted_at__lte=now,
        expires_at__gt=now,
    ).values_list("patient_id", flat=True)
    return wanted - set(granted)


def _restriction_of_patient(item) -> str:
    return getattr(getattr(item, "patient", None), "restriction", "")


def mark_hidden(
    items: Iterable,
    *,
    user,
    patient_id: Callable = attrgetter("patient_id"),
    restricted: Callable = _restriction_of_patient,
) -> set[int]:
    """Set ``patient_hidden`` on each item (a search result, a chip, an alert) whose
    patient is restricted and not granted to the user; returns the hidden ids."""
    items = list(items)
    hidden = hidden_patient_ids(
        user=user,
        restricted_ids={patient_id(item) for item in items if restricted(item)},
    )
    for item in items:
        item.patient_hidden = patient_id(item) in hidden
    return hidden


def break_glass_url(patient_id: int, next_url: str = "") -> str:
    url = reverse("registration:break-glass", args=[patient_id])
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def refusal(request, patient_id: int) -> HttpResponse:
    """403: the page belongs to a restricted patient; break the glass to open it."""
    next_url = request.get_full_path() if request.method == "GET" else ""
    url = break_glass_url(patient_id, next_url)
    if getattr(request, "htmx", False):
        response = HttpResponse(str(RESTRICTED_LABEL), status=403)
        response["HX-Redirect"] = url
        return response
    return render(
        request,
        "registration/restricted.html",
        {
            "break_glass_url": url,
            "restriction_url": reverse(
                "registration:patient-restriction", args=[patient_id]
            ),
            "can_manage": request.user.has_perm("registration.unrestrict_patient"),
        },
        status=403,
    )


class RestrictedPatientMiddleware:
    """Refuse every page of ``PATIENT_PAGES`` whose patient is restricted, unless
    the user holds a live break-glass grant on that patient."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        if user is None or not user.is_authenticated or match is None:
            return None
        found = page_patient(view_name=match.view_name, kwargs=view_kwargs)
        if found is None or not found[1]:
            return None
        patient_id = found[0]
        if live_grant(user=user, patient_id=patient_id) is None:
            return refusal(request, patient_id)
        request.break_glass_patients = {patient_id}
        return None


# --- Review of break-glass access ----------------------------------------------------

GRANT_FIELDS = (
    "id",
    "granted_at",
    "expires_at",
    "user_id",
    "user__username",
    "patient_id",
    "patient__mrn",
    "patient__family_name",
    "patient__given_name",
    "reason",
    "reason_text",
    "reviewed_at",
    "reviewed_by__username",
    "review_note",
)


def grants_for_review(
    *,
    status: str = "",
    username: str = "",
    patient=None,
    reason: str = "",
    start=None,
    end=None,
):
    """Break-glass grants, newest first, as dicts: ``status`` is "unreviewed",
    "reviewed" or "" (all); ``start`` and ``end`` bound when they were granted."""
    rows = BreakGlassGrant.objects.all()
    if status == "unreviewed":
        rows = rows.filter(reviewed_at__isnull=True)
    elif status == "reviewed":
        rows = rows.filter(reviewed_at__isnull=False)
    if reason:
        rows = rows.filter(reason=reason)
    rows = filter_record(
        rows,
        at="granted_at",
        start=start,
        end=end,
        patient=patient,
        username=username,
        user_fields=("user__username",),
    )
    return rows.order_by("-granted_at", "-id").values(*GRANT_FIELDS)


def pages_opened(grants: list[dict]) -> dict[int, list[tuple]]:
    """grant id -> [(when, what), ...]: the access-log rows its user wrote on its
    patient while it was live (the break-glass row itself left out). One query."""
    found: dict[int, list[tuple]] = {grant["id"]: [] for grant in grants}
    if not grants:
        return found
    window = models.Q()
    for grant in grants:
        window |= models.Q(
            user_id=grant["user_id"],
            patient_id=grant["patient_id"],
            created_at__gte=grant["granted_at"],
            created_at__lt=grant["expires_at"],
        )
    rows = (
        AccessLog.objects.filter(window)
        .exclude(what__startswith="break-glass")
        .order_by("id")
        .values_list("user_id", "patient_id", "created_at", "what", "object_type")
    )
    for user_id, patient_id, created_at, what, object_type in rows:
        for grant in grants:
            if (
                grant["user_id"] == user_id
                and grant["patient_id"] == patient_id
                and grant["granted_at"] <= created_at < grant["expires_at"]
            ):
                found[grant["id"]].append((created_at, what or object_type))
    return found


def pages_text(pages: list[tuple]) -> str:
    """ "14:02 chart; 14:05 patient MAR" in the clinic's time."""
    return "; ".join(f"{timezone.localtime(when):%H:%M} {what}" for when, what in pages)


def with_pages(grants: list[dict]) -> list[dict]:
    """The grants with ``pages`` (list) and ``pages_text`` added."""
    opened = pages_opened(grants)
    return [
        {
            **grant,
            "reason_label": str(BreakGlassGrant.Reason(grant["reason"]).label),
            "pages": opened[grant["id"]],
            "pages_text": pages_text(opened[grant["id"]]),
        }
        for grant in grants
    ]
