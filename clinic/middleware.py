import time
from contextlib import suppress

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from clinic.two_factor import two_factor_required

LOGIN_AT = "clinic_login_at"
LAST_SEEN = "clinic_last_seen"
# Seen-at is written at most this often, so most requests do not write the session.
LAST_SEEN_RESOLUTION = 30

IDLE_MESSAGE = _("You were signed out after %(minutes)d minutes without activity.")
ABSOLUTE_MESSAGE = _(
    "Your session reached its %(hours)d-hour limit; please sign in again."
)


def unavailable_response() -> HttpResponse:
    """The page shown while the database does not answer; it needs no database."""
    return HttpResponse(
        render_to_string("503.html", {"clinic_name": settings.CLINIC_NAME}),
        status=503,
        headers={"Retry-After": "30"},
    )


NUL_IN_REQUEST = _(
    "The address or form holds a NUL character (%%00), which no search or field "
    "accepts. Remove it and try again."
)


class NulCharacterMiddleware:
    """A NUL character in a query (``?q=%00``) or a posted form is refused with a
    400 page that says so: PostgreSQL cannot store or compare text holding one,
    so without this every page that searches would answer 500. Multipart bodies
    are left to their forms (Django's text fields refuse NUL; uploads are
    checked by their own forms). The FHIR API answers a NUL itself, with an
    OperationOutcome (``fhir.search``)."""

    EXEMPT_PREFIXES = ("/fhir/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        exempt = request.path.startswith(self.EXEMPT_PREFIXES)
        if not exempt and self._holds_nul(request):
            response = render(
                request, "400.html", {"message": NUL_IN_REQUEST}, status=400
            )
            add_never_cache_headers(response)
            return response
        return self.get_response(request)

    @staticmethod
    def _holds_nul(request) -> bool:
        data = [request.GET]
        if request.content_type == "application/x-www-form-urlencoded":
            # Too big or too many fields: the view meets the same refusal and
            # answers it in its own medium (the token endpoint in JSON).
            with suppress(SuspiciousOperation):
                data.append(request.POST)
        return any(
            "\x00" in key or any("\x00" in value for value in values)
            for query in data
            for key, values in query.lists()
        )


class DatabaseAvailableMiddleware:
    """Answer 503 at once (within the connect timeout) when the database is down."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/static/"):
            try:
                connection.ensure_connection()
            except DatabaseError:
                return unavailable_response()
        return self.get_response(request)


class SessionLimitsMiddleware:
    """Idle sessions end after SESSION_IDLE_SECONDS, every session after
    SESSION_ABSOLUTE_SECONDS from log-in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            login_at = session.setdefault(LOGIN_AT, now)
            last_seen = session.get(LAST_SEEN, now)
            message = None
            if now - login_at > settings.SESSION_ABSOLUTE_SECONDS:
                message = ABSOLUTE_MESSAGE % {
                    "hours": settings.SESSION_ABSOLUTE_SECONDS // 3600
                }
            elif now - last_seen > settings.SESSION_IDLE_SECONDS:
                message = IDLE_MESSAGE % {
                    "minutes": settings.SESSION_IDLE_SECONDS // 60
                }
            if message:
                logout(request)
                messages.info(request, message)
                login_url = reverse(settings.LOGIN_URL)
                if request.method == "GET" and not request.htmx:
                    return redirect(f"{login_url}?next={request.get_full_path()}")
                response = HttpResponse(status=401)
                response["HX-Redirect"] = login_url
                return response
            if now - last_seen >= LAST_SEEN_RESOLUTION or LAST_SEEN not in session:
                session[LAST_SEEN] = now
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """A user with a temporary password can only change it (or log out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = getattr(user, "profile", None)
            if profile is not None and profile.must_change_password:
                allowed = {reverse("clinic:password-change"), reverse("clinic:logout")}
                if request.path not in allowed and not request.path.startswith(
                    "/static/"
                ):
                    return redirect("clinic:password-change")
        return self.get_response(request)


class NoStoreForStaffMiddleware:
    """Every answer to a logged-in user is ``Cache-Control: no-store, private``:
    no browser, proxy or shared cache keeps a chart, a PDF or a CSV on disk.

    It runs inside the authentication middleware, so static files (whitenoise
    answers before it) keep their long cache life. A view that already forbids
    storing (``never_cache``: ``/healthz``, the Django admin) keeps its own header,
    which says no-store and private too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        response = self.get_response(request)
        user = getattr(request, "user", None)  # log-in and log-out change it
        if signed_in or (user is not None and user.is_authenticated):
            directives = response.get("Cache-Control", "")
            if "no-store" not in directives or "private" not in directives:
                response["Cache-Control"] = "no-store, private"
                response.headers.pop("Expires", None)
        return response


class TwoFactorRequiredMiddleware:
    """A user whose role must use two-factor log-in (``OTP_REQUIRED_ROLES``) and
    whose session has not passed a second step reaches only the enrolment page (or
    changes a temporary password, or logs out). Users who have enrolled always
    pass the second step at log-in (clinic.views.accounts), so such a session is
    one that has no device yet."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith("/static/")
            and two_factor_required(user)
        ):
            allowed = {
                reverse("clinic:two-factor-setup"),
                # A temporary password is replaced first (the gate before this one).
                reverse("clinic:password-change"),
                reverse("clinic:logout"),
                reverse("clinic:keepalive"),
            }
            if request.path not in allowed:
                return redirect("clinic:two-factor-setup")
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Every response says which browser features the pages may use (none of the
    powerful ones): ``PERMISSIONS_POLICY``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class InProcessJobsMiddleware:
    """In the embedded mode (no ``REDIS_URL``) jobs run in the web process and there
    is no queue for the RQ dashboard to show; its pages would fail to reach Redis
    (a 500). A signed-in staff user gets a page that says so instead."""

    PREFIX = "/admin/django_rq/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.JOBS_INLINE
            and request.path.startswith(self.PREFIX)
            and user is not None
            and user.is_authenticated
            and user.is_staff
        ):
            return render(request, "clinic/jobs_in_process.html")
        return self.get_response(request)
