from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.record_filters import filter_record
from clinic.reports.base import Column, Filters, Report
from clinic.selectors import locked_usernames

User = get_user_model()
IDLE_DAYS = 90


class UserAccessReport(Report):
    """Who can get in, as what, and whether they still should."""

    slug = "user-access"
    title = _("User access review")
    description = _(
        "Every account with its role, last log-in, lock-out, and accounts idle over 90 "
        "days."
    )

    def __init__(self):
        self._locked = None

    @property
    def locked(self) -> set[str]:
        if self._locked is None:
            self._locked = locked_usernames()
        return self._locked

    @property
    def columns(self):
        idle_before = timezone.now() - timedelta(days=IDLE_DAYS)
        return [
            Column(_("User name"), lambda u: u.username),
            Column(_("Name"), lambda u: u.get_full_name()),
            Column(
                _("Role"), lambda u: getattr(getattr(u, "profile", None), "role", "")
            ),
            Column(_("Active"), lambda u: "yes" if u.is_active else "no"),
            Column(_("Last log-in"), lambda u: u.last_login or "never"),
            Column(
                _("Idle over 90 days"),
                lambda u: (
                    "yes"
                    if u.is_active and (u.last_login or u.date_joined) < idle_before
                    else ""
                ),
            ),
            Column(
                _("Locked out"), lambda u: "yes" if u.username in self.locked else ""
            ),
            Column(_("Joined"), lambda u: u.date_joined),
        ]

    def kind_choices(self):
        return [
            ("idle", _("Idle over 90 days")),
            ("locked", _("Locked out")),
            ("inactive", _("Deactivated")),
        ]

    def rows(self, filters: Filters):
        # Accounts are about no patient: the patient filter does not apply.
        users = filter_record(
            User.objects.select_related("profile").order_by("username"),
            at="last_login",
            start=filters.date_from,
            end=filters.date_to,
            username=filters.username,
            user_fields=("username",),
        )
        if filters.kind == "idle":
            idle_before = timezone.now() - timedelta(days=IDLE_DAYS)
            users = users.filter(is_active=True).filter(
                Q(last_login__lt=idle_before)
                | Q(last_login__isnull=True, date_joined__lt=idle_before)
            )
        elif filters.kind == "locked":
            users = users.filter(username__in=self.locked)
        elif filters.kind == "inactive":
            users = users.filter(is_active=False)
        return users
