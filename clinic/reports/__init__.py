"""Compliance reports for administrators: one registry, one page, two export formats."""

from django.http import Http404

from clinic.reports.access_log import AccessLogReport
from clinic.reports.base import Report
from clinic.reports.change_history import ChangeHistoryReport
from clinic.reports.claim_submissions import ClaimSubmissionsReport
from clinic.reports.communications import CommunicationsReport
from clinic.reports.medication_record import MedicationRecordReport
from clinic.reports.restricted_access import RestrictedAccessReport
from clinic.reports.user_access import UserAccessReport

# Each app adds its reports here (medication administration, communications,
# claim submissions...).
REPORT_CLASSES: list[type[Report]] = [
    AccessLogReport,
    ChangeHistoryReport,
    MedicationRecordReport,
    CommunicationsReport,
    ClaimSubmissionsReport,
    UserAccessReport,
    RestrictedAccessReport,
]


def all_reports() -> list[Report]:
    return [cls() for cls in REPORT_CLASSES]


def get_report(slug: str) -> Report:
    for cls in REPORT_CLASSES:
        if cls.slug == slug:
            return cls()
    raise Http404("No such report")
