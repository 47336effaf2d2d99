"""Where each alert leads: the page of its record, for the role it is assigned to,
with the action ready (the dose's give form, the result's acknowledge form, the
claim, the patient's messages, the slot finder filled in for a rebook).

Targets are built from URL names and the alert's own ids (its patient and its
subject), so alerts imports no app above it and an inbox page costs no query per
row. ``tests/alerts/test_alert_targets.py`` raises every kind in ``alerts.kinds``
and opens its target as the role it is for.
"""

from django.urls import reverse
from django.utils.http import urlencode


def _chart(alert, anchor: str = "") -> str:
    if not alert.patient_id:
        return ""
    url = reverse("registration:patient-chart", args=[alert.patient_id])
    return f"{url}#{anchor}" if anchor else url


def _subject_page(url_name: str):
    """The target that is the page ``url_name`` of the alert's subject; an alert
    raised without one leads to the patient's chart instead."""

    def lead(alert) -> str:
        if not alert.subject_id:
            return _chart(alert)
        return reverse(url_name, args=[alert.subject_id])

    return lead


# The subject's own page, its action ready.
message_resend = _subject_page("alerts:resend")
dose_give = _subject_page("medications:dose-give")
observation_acknowledge = _subject_page("diagnostics:observation-acknowledge")
order_review = _subject_page("diagnostics:order-review")
claim = _subject_page("billing:claim-detail")


def patient_messages(alert) -> str:
    """A reply or a call-back request: the conversation on the chart."""
    return _chart(alert, "panel-messages")


def rebook(alert) -> str:
    """A no-show or a visit cancelled by text: the slot finder for the same patient
    and kind of visit."""
    query = {"patient": alert.patient.mrn} if alert.patient_id else {}
    visit = alert.subject
    if visit is not None and getattr(visit, "appointment_type_id", None):
        query["appointment_type"] = visit.appointment_type_id
    return reverse("scheduling:find") + ("?" + urlencode(query) if query else "")


def coverage(alert) -> str:
    return _chart(alert, "panel-coverage")


def break_glass_review(alert) -> str:
    return reverse("registration:restricted-access-review")


def access_log(alert) -> str:
    return reverse("clinic:report", args=["access-log"])


def subject_or_chart(alert) -> str:
    """A task or an automation's alert: its subject's page, else the chart."""
    subject = alert.subject if alert.subject_type_id else None
    if subject is not None and hasattr(subject, "get_absolute_url"):
        return subject.get_absolute_url()
    return _chart(alert)
