"""Password spraying (``clinic.login_guard``) becomes an alert for the
administrators; registered in ``AlertsConfig.ready()``."""

from alerts.models import StaffAlert
from alerts.services import alert_raise
from clinic.login_guard import SprayingSuspected
from clinic.permissions import ADMINISTRATOR


def spraying_alert_raise(suspected: SprayingSuspected) -> StaffAlert:
    return alert_raise(
        kind="password_spraying",
        title=suspected.title,
        message=suspected.message,
        role=ADMINISTRATOR,
        key=suspected.key,
    )
