from datetime import datetime

from alerts import services


def escalate_alerts(now: datetime) -> int:
    return services.alerts_escalate_due(now=now)
