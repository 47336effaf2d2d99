import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View

from clinic import two_factor
from clinic.forms import ForcedPasswordChangeForm, LoginForm
from clinic.login_guard import address_locked
from clinic.middleware import LAST_SEEN, LOGIN_AT
from clinic.permissions import AnyStaffMixin
from clinic.services import staff_password_changed

LOCKED_MESSAGE = _(
    "Too many failed log-ins for this user name from this computer. "
    "Wait %(minutes)d minutes and try again, or ask an administrator to unlock it."
)
ADDRESS_LOCKED_MESSAGE = _(
    "Too many failed log-ins from this network address, for several user names. "
    "Log-in from here is paused for %(minutes)d minutes; the administrators have "
    "been told."
)
# A password accepted, the second step still to come: who, by which backend,
# since when, and where to go after.
LOGIN_PENDING = "clinic_login_pending"
LOGIN_PENDING_SECONDS = 5 * 60


def login_session_start(request) -> None:
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[LAST_SEEN] = now


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    """The password step. A user with an authenticator is not logged in yet: the
    second step (clinic.views.two_factor.LoginCodeView) does that, unless this
    browser was trusted for their authenticator."""

    template_name = "clinic/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if two_factor.second_step_needed(user):
            device = two_factor.trusted_device(
                user=user, cookie=self.request.COOKIES.get(two_factor.TRUSTED_COOKIE)
            )
            if device is None:
                self.request.session[LOGIN_PENDING] = {
                    "user": user.pk,
                    "backend": user.backend,
                    "at": time.time(),
                    "next": self.get_success_url(),
                }
                return redirect("clinic:login-code")
            user.otp_device = device  # django-otp marks the session verified
        response = super().form_valid(form)  # logs in; Django gives a new session key
        login_session_start(self.request)
        return response


class LogoutView(AnyStaffMixin, auth_views.LogoutView):
    pass


class PasswordChangeView(AnyStaffMixin, auth_views.PasswordChangeView):
    template_name = "clinic/password_change.html"
    form_class = ForcedPasswordChangeForm
    success_url = reverse_lazy("clinic:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        staff_password_changed(user=self.request.user)
        messages.success(self.request, _("Your password is changed."))
        return response


class KeepAliveView(AnyStaffMixin, View):
    """POSTed by the idle-warning dialog: the request itself renews the session."""

    http_method_names = ["post"]

    def post(self, request):
        return HttpResponse(status=204)


@login_not_required
def lockout_response(request, *args, **kwargs):
    """What a locked-out user sees (django-axes calls this)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    request.session.pop(LOGIN_PENDING, None)
    form = LoginForm(request, data=None)
    message = ADDRESS_LOCKED_MESSAGE if address_locked(request) else LOCKED_MESSAGE
    return render(
        request,
        "clinic/login.html",
        {"form": form, "locked_message": message % {"minutes": minutes}},
        status=429,
    )
