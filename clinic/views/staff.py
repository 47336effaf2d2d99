from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from clinic import selectors, services, two_factor
from clinic.exceptions import ApplicationError
from clinic.forms import (
    PasswordResetForm,
    ReasonForm,
    StaffCreateForm,
    StaffFilterForm,
    StaffUpdateForm,
    add_validation_error,
)
from clinic.permissions import RoleRequiredMixin, role_of

User = get_user_model()


class StaffPermissionMixin(RoleRequiredMixin):
    permission_required = "clinic.manage_staff"


class StaffListView(StaffPermissionMixin, ListView):
    template_name = "clinic/staff_list.html"
    paginate_by = 25
    context_object_name = "staff"

    def get_queryset(self):
        self.filter_form = StaffFilterForm(self.request.GET or None)
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return selectors.staff_list(
            query=data.get("q", ""),
            role=data.get("role", ""),
            status=data.get("status", ""),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=self.filter_form,
            locked=selectors.locked_usernames(),
            querystring=query.urlencode(),
        )
        return context


class StaffCreateView(StaffPermissionMixin, FormView):
    template_name = "clinic/staff_form.html"
    form_class = StaffCreateForm
    extra_context = {"title": _("New staff account")}

    def form_valid(self, form):
        try:
            user = services.staff_create(**form.cleaned_data, actor=self.request.user)
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "Account %(name)s created. "
                "They choose their own password at first log-in."
            )
            % {"name": user.get_username()},
        )
        return redirect("clinic:staff-edit", pk=user.pk)


class _StaffMemberMixin(StaffPermissionMixin):
    def dispatch(self, request, *args, **kwargs):
        self.member = get_object_or_404(
            User.objects.select_related("profile"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(member=self.member, **kwargs)


class StaffUpdateView(_StaffMemberMixin, FormView):
    template_name = "clinic/staff_form.html"
    form_class = StaffUpdateForm

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

    def form_valid(self, form):
        try:
            services.staff_update(
                user=self.member, **form.cleaned_data, actor=self.request.user
            )
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Changes saved."))
        return redirect("clinic:staff-edit", pk=self.member.pk)


class _StaffActionView(_StaffMemberMixin, FormView):
    """A confirmation page with a form; subclasses say what happens on submit."""

    template_name = "clinic/staff_confirm.html"
    form_class = ReasonForm
    title = ""
    explanation = ""
    submit_label = _("Confirm")
    css_class = "btn-danger"
    success_message = ""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.form_class is ReasonForm:
            kwargs.update(submit_label=self.submit_label, css_class=self.css_class)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=self.title % {"name": self.member.get_username()},
            explanation=self.explanation,
            **kwargs,
        )

    def act(self, form) -> None:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.act(form)
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        except ApplicationError as error:
            messages.error(self.request, error.message)
            return redirect("clinic:staff-edit", pk=self.member.pk)
        messages.success(
            self.request, self.success_message % {"name": self.member.get_username()}
        )
        return redirect("clinic:staff-edit", pk=self.member.pk)


class StaffDeactivateView(_StaffActionView):
    title = _("Deactivate %(name)s")
    explanation = _(
        "They can no longer log in, and every session they have open ends now. "
        "Their records and history stay."
    )
    submit_label = _("Deactivate account")
    success_message = _("%(name)s is deactivated and signed out everywhere.")

    def act(self, form):
        services.staff_deactivate(
            user=self.member,
            reason=form.cleaned_data["reason"],
            actor=self.request.user,
        )


class StaffReactivateView(_StaffActionView):
    title = _("Reactivate %(name)s")
    explanation = _("They can log in again with their current password.")
    submit_label = _("Reactivate account")
    css_class = "btn-primary"
    success_message = _("%(name)s is active again.")

    def act(self, form):
        services.staff_reactivate(
            user=self.member,
            reason=form.cleaned_data["reason"],
            actor=self.request.user,
        )


class StaffPasswordResetView(_StaffActionView):
    form_class = PasswordResetForm
    title = _("Reset the password of %(name)s")
    explanation = _(
        "Use this when someone forgot their password or it may be known to others."
    )
    success_message = _(
        "Password reset; %(name)s must choose a new one at next log-in."
    )

    def act(self, form):
        services.staff_password_reset(
            user=self.member,
            new_password=form.cleaned_data["new_password"],
            actor=self.request.user,
        )


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

    def act(self, form):
        two_factor.staff_two_factor_reset(
            user=self.member,
            reason=form.cleaned_data["reason"],
            actor=self.request.user,
        )


class StaffUnlockView(_StaffMemberMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        services.staff_unlock(username=self.member.get_username(), actor=request.user)
        messages.success(
            request,
            _("%(name)s can log in again.") % {"name": self.member.get_username()},
        )
        return redirect("clinic:staff-edit", pk=self.member.pk)
