"""Failed log-ins: when a user name or an address is locked, and when the
administrators hear about it.

django-axes counts failures per lock-out parameter (``AXES_LOCKOUT_PARAMETERS``:
user name + address, then address alone) but compares every count with one limit.
A clinic sits behind one NAT address, so the address alone gets its own, higher
limit (``AXES_ADDRESS_FAILURE_LIMIT``): a few colleagues' typos lock only their own
names, while one password tried against many names (password spraying) locks the
address. Failures for many distinct names from one address are also told to the
administrators, before the address lock is reached: through ``SPRAYING_NOTIFIERS``,
which the alerts app fills in its ``AppConfig.ready()`` (the clinic core imports no
app).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessFailureLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

SPRAYING_TITLE = _("Failed log-ins for %(count)d user names from %(address)s")
SPRAYING_MESSAGE = _(
    "In the last %(minutes)d minutes, log-ins failed for %(count)d user names from "
    "%(address)s, %(unknown)d of them no account's. Staff accounts tried: "
    "%(accounts)s. This looks like one password tried across accounts. The address "
    "is locked after %(limit)d failures; check the accounts named, and block the "
    "address at the firewall if it is not the clinic's."
)


@dataclass(frozen=True)
class SprayingSuspected:
    """Log-ins failed for many user names from one address: what to tell the
    administrators (``key`` is the same for the address while it is unresolved)."""

    address: str
    title: str
    message: str
    key: str


# Called in order with a SprayingSuspected; the first one's answer is returned.
SPRAYING_NOTIFIERS: list[Callable[[SprayingSuspected], object]] = []


class ClinicAxesHandler(AxesDatabaseHandler):
    """axes' database handler with a separate limit for the address alone."""

    def get_failures(self, request, credentials=None) -> int:
        """The failures that count against ``AXES_FAILURE_LIMIT``: those of this
        user name from this address; an address past its own limit counts as the
        limit reached, for every name."""
        by_name, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if by_address >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return max(by_name, settings.AXES_FAILURE_LIMIT)
        return by_name

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful log-in forgives that name's failures from that address, not
        the other names' failures from it (else one good account would reset a
        spraying count)."""
        by_name = self.filter_user_attempts(request, credentials)[0]
        count, _by_model = by_name.delete()
        return count

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and request.axes_ip_address:
            failed_names_watch(address=request.axes_ip_address)


def address_locked(request) -> bool:
    """True when the request's address (not only a user name) is locked out."""
    AxesProxyHandler.update_request(request)
    attempts = AxesProxyHandler.get_implementation().get_user_attempts(
        request, {"username": None}
    )[1]
    failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
    return failures >= settings.AXES_ADDRESS_FAILURE_LIMIT


def failed_names_watch(*, address: str, now=None):
    """Failed log-ins for ``AXES_SPRAYING_ALERT_NAMES`` distinct user names from one
    address within the cool-off time are told to every ``SPRAYING_NOTIFIERS`` entry
    (the alerts app raises one alert for the administrators per address while it is
    unresolved). Returns the first notifier's answer (the alert), or None."""
    now = now or timezone.now()
    window: timedelta = settings.AXES_COOLOFF_TIME
    names = sorted(
        set(
            AccessFailureLog.objects.filter(
                ip_address=address, attempt_time__gte=now - window
            ).values_list("username", flat=True)
        )
        - {None, ""}
    )
    if len(names) < settings.AXES_SPRAYING_ALERT_NAMES:
        return None
    # Only real accounts are named: a typed "user name" may be someone's password.
    accounts = list(
        get_user_model()
        .objects.filter(username__in=names)
        .order_by("username")
        .values_list("username", flat=True)
    )
    suspected = SprayingSuspected(
        address=address,
        title=SPRAYING_TITLE % {"count": len(names), "address": address},
        message=SPRAYING_MESSAGE
        % {
            "minutes": int(window.total_seconds() // 60),
            "count": len(names),
            "address": address,
            "unknown": len(names) - len(accounts),
            "accounts": ", ".join(accounts[:50]) or "—",
            "limit": settings.AXES_ADDRESS_FAILURE_LIMIT,
        },
        key=f"password-spraying:{address}",
    )
    answers = [notify(suspected) for notify in SPRAYING_NOTIFIERS]
    return answers[0] if answers else None


def _named(name: str) -> dict:
    return {"username": name[:150]}


def named_requests_locked(request, *, name: str) -> bool:
    """Whether requests that count their refusals as failed log-ins of ``name``
    (an API client, a patient's link) are locked out from this address: past
    ``AXES_FAILURE_LIMIT`` refusals of the name there, or the address's own
    limit, until ``AXES_COOLOFF_TIME`` has passed."""
    return AxesProxyHandler.is_locked(request, _named(name))


def named_request_failed(request, *, name: str) -> None:
    """Count a refused request as a failed log-in of ``name`` from its address."""
    user_login_failed.send(sender=__name__, credentials=_named(name), request=request)
    # axes' middleware would answer a lock-out with the log-in page; the caller
    # answers the next request with its own refusal instead.
    request.axes_locked_out = False
