from alerts.selectors import open_alert_count


def inbox_badge(request) -> dict:
    """The count of the user's open alerts, shown in the header on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not user.has_perm("alerts.view_staffalert"):
        return {}
    return {"open_alert_count": open_alert_count(user=user)}
