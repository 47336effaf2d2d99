"""Two-factor log-in pages: the second step, enrolment, one's own recovery codes."""

import time

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView
from django_otp.plugins.otp_static.models import StaticDevice

from clinic import two_factor
from clinic.exceptions import ApplicationError
from clinic.forms import EnrolmentForm, SecondStepForm, add_validation_error
from clinic.permissions import AnyStaffMixin
from clinic.views.accounts import (
    LOGIN_PENDING,
    LOGIN_PENDING_SECONDS,
    lockout_response,
    login_session_start,
)

User = get_user_model()

RECOVERY_CODE_USED = _(
    "You logged in with a recovery code; %(left)d are left. Make new ones on your "
    "two-factor page if you are running short."
)
SIGN_IN_AGAIN = _("Sign in again, with a code from your authenticator app.")


@method_decorator(login_not_required, name="dispatch")
class LoginCodeView(FormView):
    """The second step of log-in: a code from the authenticator app or a recovery
    code. Wrong codes count against the same lock-out as wrong passwords."""

    template_name = "clinic/login_code.html"
    form_class = SecondStepForm

    def dispatch(self, request, *args, **kwargs):
        self.pending_user = None
        pending = request.session.get(LOGIN_PENDING)
        if pending and time.time() - pending["at"] <= LOGIN_PENDING_SECONDS:
            self.pending = pending
            self.pending_user = User.objects.filter(
                pk=pending["user"], is_active=True
            ).first()
        if self.pending_user is None:
            request.session.pop(LOGIN_PENDING, None)
            if request.method == "POST":
                return redirect("clinic:login")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(expired=self.pending_user is None, **kwargs)

    def form_valid(self, form):
        request, user = self.request, self.pending_user
        credentials = {"username": user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            return lockout_response(request)
        step = two_factor.second_step_verify(user=user, code=form.cleaned_data["code"])
        device = step.device
        if device is None:
            user_login_failed.send(
                sender=__name__, credentials=credentials, request=request
            )
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request)
            if step.paused_until is not None:
                when = timezone.localtime(step.paused_until).strftime("%H:%M:%S")
                form.add_error("code", two_factor.SLOW_DOWN % {"time": when})
            else:
                form.add_error("code", two_factor.WRONG_CODE)
            return self.form_invalid(form)

        user.otp_device = device  # django-otp marks the session verified
        login(request, user, backend=self.pending["backend"])
        request.session.pop(LOGIN_PENDING, None)
        login_session_start(request)
        if isinstance(device, StaticDevice):
            messages.warning(
                request,
                RECOVERY_CODE_USED % {"left": two_factor.recovery_codes_left(user)},
            )
        response = redirect(self.pending["next"])
        if form.cleaned_data["trust_device"] and not isinstance(device, StaticDevice):
            response.set_cookie(
                two_factor.TRUSTED_COOKIE,
                two_factor.trusted_cookie_value(user=user, device=device),
                max_age=two_factor.trusted_cookie_max_age(),
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
        return response


class TwoFactorSetupView(AnyStaffMixin, FormView):
    """Enrolment: scan the QR code (or type the secret), confirm with a code; the
    recovery codes are shown once, on the answer to that."""

    template_name = "clinic/two_factor_setup.html"
    form_class = EnrolmentForm

    def dispatch(self, request, *args, **kwargs):
        if two_factor.totp_device_of(request.user) is not None:
            if request.user.is_verified():
                messages.info(request, two_factor.ALREADY_ENROLLED)
                return redirect("clinic:two-factor")
            # A session that never passed the second step (it began before the
            # account enrolled elsewhere): sign in again, properly.
            logout(request)
            messages.info(request, SIGN_IN_AGAIN)
            return redirect("clinic:login")
        self.device = two_factor.enrolment_start(user=request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            required=two_factor.two_factor_required(self.request.user),
            qr_code=two_factor.qr_code_data_uri(self.device),
            secret=two_factor.secret_for_display(self.device),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            device, codes = two_factor.enrolment_confirm(
                user=self.request.user, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        django_otp.login(self.request, device)
        return render(
            self.request,
            "clinic/two_factor_codes.html",
            {"codes": codes, "just_enrolled": True},
        )


class TwoFactorView(AnyStaffMixin, TemplateView):
    """One's own two-factor status: on or off, required or not, codes left."""

    template_name = "clinic/two_factor.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            device=two_factor.totp_device_of(user),
            required=two_factor.two_factor_required(user),
            codes_left=two_factor.recovery_codes_left(user),
            **kwargs,
        )


class RecoveryCodesRenewView(AnyStaffMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        try:
            codes = two_factor.recovery_codes_renew(user=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("clinic:two-factor")
        return render(request, "clinic/two_factor_codes.html", {"codes": codes})
