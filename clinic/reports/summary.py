"""The weekly summary e-mail to administrators: the counts that matter, with links.

Each app adds a provider ``(since, until) -> list[SummaryLine]`` to PROVIDERS
(overrides, late doses, undelivered messages ...).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from axes.models import AccessFailureLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from clinic.access_log_anchor import access_log_anchor_problem
from clinic.models import WeeklySummary
from clinic.permissions import ADMINISTRATOR
from clinic.selectors import locked_usernames
from clinic.services import access_log_first_broken

SEND_WEEKDAY = 0  # Monday
SEND_HOUR = 7  # local time


@dataclass(frozen=True)
class SummaryLine:
    label: str
    value: str
    path: str  # a page of the app, linked from the e-mail


def clinic_lines(since: datetime, until: datetime) -> list[SummaryLine]:
    broken = access_log_first_broken()
    anchor_problem = "" if broken else access_log_anchor_problem()
    failures = AccessFailureLog.objects.filter(
        attempt_time__gte=since, attempt_time__lt=until
    ).count()
    return [
        SummaryLine(
            "Access-log integrity",
            f"BROKEN at row {broken.pk}"
            if broken
            else (f"BROKEN: {anchor_problem}" if anchor_problem else "intact"),
            reverse("clinic:report-integrity"),
        ),
        SummaryLine(
            "Failed log-ins this week",
            str(failures),
            reverse("clinic:report", args=["user-access"]),
        ),
        SummaryLine(
            "Accounts locked out now",
            str(len(locked_usernames())),
            reverse("clinic:report", args=["user-access"]) + "?kind=locked",
        ),
    ]


PROVIDERS = [
    "clinic.reports.summary.clinic_lines",
    "clinic.reports.medication_record.medication_lines",
    "clinic.reports.communications.communication_lines",
]


def week_start_for(now: datetime):
    local = timezone.localtime(now).date()
    return local - timedelta(days=(local.weekday() - SEND_WEEKDAY) % 7)


def summary_lines(since: datetime, until: datetime) -> list[SummaryLine]:
    lines = []
    for path in PROVIDERS:
        lines += import_string(path)(since, until)
    return lines


def weekly_summary_send(now: datetime) -> int:
    """Send this week's summary once it is due (Monday 07:00 local), exactly once."""
    week_start = week_start_for(now)
    tz = timezone.get_current_timezone()
    due = timezone.make_aware(datetime.combine(week_start, time(SEND_HOUR)), tz)
    if now < due or WeeklySummary.objects.filter(week_start=week_start).exists():
        return 0
    since = due - timedelta(days=7)
    lines = summary_lines(since, due)
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    body = "\n".join(
        [
            f"{settings.CLINIC_NAME}: the week to {timezone.localtime(due):%Y-%m-%d}",
            "",
            *(f"- {line.label}: {line.value}\n  {base}{line.path}" for line in lines),
            "",
            f"All reports: {base}{reverse('clinic:reports')}",
        ]
    )
    recipients = list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=ADMINISTRATOR)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    try:
        with transaction.atomic():
            WeeklySummary.objects.create(
                week_start=week_start, recipients=", ".join(recipients), body=body
            )
            if recipients:
                send_mail(
                    f"{settings.CLINIC_NAME}: weekly compliance summary",
                    body,
                    settings.DEFAULT_FROM_EMAIL,
                    recipients,
                )
    except IntegrityError:
        return 0  # another sweeper sent it a moment ago
    return 1
