from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView

from clinic import selectors, services, two_factor
from clinic.edges import (
    ConfirmFormMixin,
    FilteredListMixin,
    PostActionView,
    ServiceFormMixin,
)
from clinic.forms import (
    PasswordResetForm,
    StaffCreateForm,
    StaffFilterForm,
    StaffUpdateForm,
)
from clinic.permissions import RoleRequiredMixin, role_of

User = get_user_model()


class StaffPermissionMixin(RoleRequiredMixin):
    permission_required = "clinic.manage_staff"


class StaffListView(StaffPermissionMixin, FilteredListMixin, ListView):
    template_name = "clinic/staff_list.html"
    paginate_by = 25
    context_object_name = "staff"
    filter_form_class = StaffFilterForm

    def get_queryset(self):
        filters = self.filter_arguments("role", "status", q="query")
        return selectors.staff_list(**filters)

    def get_context_data(self, **kwargs):
        return super().get_context_data(locked=selectors.locked_usernames(), **kwargs)


class StaffCreateView(StaffPermissionMixin, ServiceFormMixin, FormView):
    template_name = "clinic/staff_form.html"
    form_class = StaffCreateForm
    extra_context = {"title": _("New staff account")}

    def perform(self, form):
        return services.staff_create(**form.cleaned_data, actor=self.request.user)

    def get_success_message(self, user):
        return _(
            "Account %(name)s created. They choose their own password at first log-in."
        ) % {"name": user.get_username()}

    def get_result_url(self, user):
        return reverse("clinic:staff-edit", kwargs={"pk": user.pk})


class _StaffMemberMixin(StaffPermissionMixin):
    def dispatch(self, request, *args, **kwargs):
        self.member = get_object_or_404(
            User.objects.select_related("profile"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(member=self.member, **kwargs)

    def get_service_kwargs(self) -> dict:
        return {"user": self.member}


class StaffUpdateView(_StaffMemberMixin, ServiceFormMixin, FormView):
    template_name = "clinic/staff_form.html"
    form_class = StaffUpdateForm
    success_message = _("Changes saved.")
    service = staticmethod(services.staff_update)

    def get_initial(self):
        profile = getattr(self.member, "profile", None)
        return {
            "first_name": self.member.first_name,
            "last_name": self.member.last_name,
            "email": self.member.email,
            "role": role_of(self.member),
            "default_location": profile.default_location if profile else None,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Staff account: %(name)s") % {"name": self.member.get_username()},
            locked=self.member.get_username() in selectors.locked_usernames(),
            two_factor_device=two_factor.totp_device_of(self.member),
            two_factor_required=two_factor.two_factor_required(self.member),
            **kwargs,
        )

    def get_result_url(self, result):
        return reverse("clinic:staff-edit", kwargs={"pk": self.member.pk})


class _StaffActionView(_StaffMemberMixin, ConfirmFormMixin, ServiceFormMixin, FormView):
    """A confirmation page with a form; on submit, ``service`` gets the member,
    the form's fields and the actor; a refusal is shown on the form, with what
    was typed."""

    def get_subject_name(self) -> str:
        return self.member.get_username()

    def get_crumbs(self):
        return [
            (_("Staff"), reverse("clinic:staff-list")),
            (self.member.get_username(), self.get_result_url(None)),
        ]

    def get_result_url(self, result):
        return reverse("clinic:staff-edit", kwargs={"pk": self.member.pk})


class StaffDeactivateView(_StaffActionView):
    title = _("Deactivate %(name)s")
    explanation = _(
        "They can no longer log in, and every session they have open ends now. "
        "Their records and history stay."
    )
    submit_label = _("Deactivate account")
    success_message = _("%(name)s is deactivated and signed out everywhere.")
    service = staticmethod(services.staff_deactivate)


class StaffReactivateView(_StaffActionView):
    title = _("Reactivate %(name)s")
    explanation = _("They can log in again with their current password.")
    submit_label = _("Reactivate account")
    css_class = "btn-primary"
    success_message = _("%(name)s is active again.")
    service = staticmethod(services.staff_reactivate)


class StaffPasswordResetView(_StaffActionView):
    form_class = PasswordResetForm
    title = _("Reset the password of %(name)s")
    explanation = _(
        "Use this when someone forgot their password or it may be known to others."
    )
    success_message = _(
        "Password reset; %(name)s must choose a new one at next log-in."
    )
    service = staticmethod(services.staff_password_reset)


class StaffTwoFactorResetView(_StaffActionView):
    title = _("Reset the two-factor device of %(name)s")
    explanation = _(
        "Use this when someone lost the phone with their authenticator app, or it "
        "may be in other hands. Their authenticator and recovery codes stop working "
        "and every session they have open ends now; they set up a new one after "
        "their next log-in."
    )
    submit_label = _("Reset two-factor device")
    css_class = "btn-warning"
    success_message = _(
        "The two-factor device of %(name)s is removed and their sessions ended. "
        "They can set up a new one after logging in with their password (their role "
        "may require it at once)."
    )
    service = staticmethod(two_factor.staff_two_factor_reset)


class StaffUnlockView(_StaffMemberMixin, PostActionView):
    def perform(self):
        services.staff_unlock(
            username=self.member.get_username(), actor=self.request.user
        )

    def get_success_message(self, result):
        return _("%(name)s can log in again.") % {"name": self.member.get_username()}

    def get_redirect_url(self, result=None):
        return reverse("clinic:staff-edit", kwargs={"pk": self.member.pk})
