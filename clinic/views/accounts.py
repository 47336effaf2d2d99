import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View

from clinic.forms import ForcedPasswordChangeForm, LoginForm
from clinic.middleware import LAST_SEEN, LOGIN_AT
from clinic.permissions import AnyStaffMixin
from clinic.services import staff_password_changed

LOCKED_MESSAGE = _(
    "Too many failed log-ins for this user name from this computer. "
    "Wait %(minutes)d minutes and try again, or ask an administrator to unlock it."
)


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "clinic/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)  # logs in; Django gives a new session key
        now = time.time()
        self.request.session[LOGIN_AT] = now
        self.request.session[LAST_SEEN] = now
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
    form = LoginForm(request, data=None)
    return render(
        request,
        "clinic/login.html",
        {"form": form, "locked_message": LOCKED_MESSAGE % {"minutes": minutes}},
        status=429,
    )
