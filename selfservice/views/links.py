"""The pages a patient opens from a text: no log-in, the signed link is the key.

Every refusal (no such visit, a forged or expired token, another visit's token,
a visit that has started) is the same 404 page that names nothing; each refusal
counts as a failed log-in of ``LINK_NAME`` from the address (django-axes, as
log-ins and API tokens are limited), and past the limit every link from that
address is answered 429 until the cool-off ends. A valid link answers at most
``SELF_SERVICE_LINK_REQUESTS_PER_HOUR`` requests an hour, from all addresses
together (``clinic.rate_limits``; 429 after). An opened link writes an access-log
row ("self-service link", the patient) and is never stored by a browser or proxy,
nor sent on to another site as a referrer.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from clinic.edges import PostActionView, ServiceFormMixin
from clinic.login_guard import named_request_failed, named_requests_locked
from clinic.models import AccessLog
from clinic.rate_limits import rate_exceeded
from clinic.services import access_log_record
from scheduling.models import Appointment
from selfservice import links
from selfservice.forms import CancelForm, IntakeForm, MoveForm
from selfservice.selectors import intake_wanted, link_slots
from selfservice.services import (
    CANCEL_REASONS,
    intake_submit,
    link_cancel,
    link_confirm,
    link_reschedule,
)

LINK_NAME = "self-service link"
REFUSED = "selfservice/refused.html"


def _refusal(request, *, status: int):
    response = render(request, REFUSED, {"too_many": status == 429}, status=status)
    return _private(response)


def _private(response):
    response["Cache-Control"] = "no-store, private"
    # Never sent to another site; same-origin still lets the browser send the
    # Origin header that the forms' CSRF check needs ("no-referrer" would not).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@method_decorator(login_not_required, name="dispatch")
class LinkMixin:
    """Reads the visit the link names and checks its token before anything else."""

    purpose = links.VISIT

    def load_visit(self, pk: int):
        return (
            Appointment.objects.select_related(
                "patient", "provider", "location", "appointment_type"
            )
            .filter(pk=pk)
            .first()
        )

    def dispatch(self, request, *args, pk, token, **kwargs):
        if named_requests_locked(request, name=LINK_NAME):
            return _refusal(request, status=429)
        self.visit = self.load_visit(pk)
        if self.visit is None or not links.token_valid(
            self.visit, token, purpose=self.purpose
        ):
            named_request_failed(request, name=LINK_NAME)
            return _refusal(request, status=404)
        if rate_exceeded(
            key=f"selfservice-link:{self.visit.pk}",
            limit=settings.SELF_SERVICE_LINK_REQUESTS_PER_HOUR,
            seconds=3600,
        ):
            return _refusal(request, status=429)
        self.link_url = request.path
        access_log_record(
            user=None,
            username=LINK_NAME,
            action=AccessLog.Action.VIEW,
            patient_id=self.visit.patient_id,
            obj=self.visit,
            what=f"self-service {self.purpose} link ({request.method})",
            request=request,
        )
        return _private(super().dispatch(request, *args, **kwargs))


class VisitLinkView(LinkMixin, TemplateView):
    """First name, time, place and provider; confirm, cancel or pick a time."""

    template_name = "selfservice/visit.html"

    def get_context_data(self, **kwargs):
        visit = self.visit
        upcoming = visit.status in Appointment.UPCOMING_STATUSES
        return super().get_context_data(
            visit=visit,
            first_name=visit.patient.preferred_name or visit.patient.given_name,
            upcoming=upcoming,
            confirmed=visit.status == Appointment.Status.CONFIRMED,
            cancel_form=CancelForm(),
            slots=link_slots(appointment=visit) if upcoming else [],
            link_url=self.link_url,
            **kwargs,
        )


class _LinkAction(LinkMixin, PostActionView):
    """A button of the visit's page; it answers with the page and a message."""

    form_class = None

    def bound_form(self, **kwargs) -> dict:
        form = self.form_class(self.request.POST, **kwargs)
        if not form.is_valid():
            raise ValidationError(
                [text for errors in form.errors.values() for text in errors]
            )
        return form.cleaned_data

    def get_redirect_url(self, result=None) -> str:
        return self.link_url.rsplit("/", 2)[0] + "/"  # the visit's page


class LinkConfirmView(_LinkAction):
    def perform(self):
        return link_confirm(appointment=self.visit)

    def get_success_message(self, result) -> str:
        return _("Thank you: your visit is confirmed.")


class LinkCancelView(_LinkAction):
    form_class = CancelForm

    def perform(self):
        reason = self.bound_form()["reason"]
        return link_cancel(appointment=self.visit, reason=reason)

    def get_success_message(self, result) -> str:
        return _("Your visit is cancelled. %(reason)s noted.") % {
            "reason": CANCEL_REASONS[self.request.POST["reason"]]
        }


class LinkMoveView(_LinkAction):
    form_class = MoveForm

    def perform(self):
        start = self.bound_form(slots=link_slots(appointment=self.visit))["start"]
        return link_reschedule(appointment=self.visit, start=start)

    def get_success_message(self, result) -> str:
        local = timezone.localtime(result.start)
        return _("Done: your visit is now on %(when)s.") % {
            "when": local.strftime("%A %d %B %Y at %H:%M")
        }


class IntakeLinkView(LinkMixin, ServiceFormMixin, FormView):
    """The intake form before a first visit; once sent (or for a patient the
    clinic has seen), a thank-you."""

    purpose = links.INTAKE
    template_name = "selfservice/intake_form.html"
    form_class = IntakeForm
    success_message = gettext_lazy("Thank you! The clinic has your form.")

    def get_context_data(self, **kwargs):
        visit = self.visit
        return super().get_context_data(
            visit=visit,
            first_name=visit.patient.preferred_name or visit.patient.given_name,
            received=not intake_wanted(appointment=visit),
            **kwargs,
        )

    def perform(self, form):
        return intake_submit(
            appointment=self.visit, proposed=form.proposed(), cards=form.cards()
        )

    def get_result_url(self, result) -> str:
        return self.request.path
