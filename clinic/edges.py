"""The one edge between a view and a service call.

A service refuses with ``django.core.exceptions.ValidationError`` (bad input, named
by field when it can) or with ``clinic.exceptions.ApplicationError`` (a state of the
clinic that forbids the action; its message is for the user). Views translate both
the same way, through these three pieces, and never write their own ``except``:

* ``ServiceFormMixin`` for a ``FormView``/``CreateView``/``UpdateView``: name the
  ``service`` (it gets ``get_service_kwargs()``, the form's fields and ``actor``)
  or implement ``perform(form)`` (call the service, return what it made); a
  refusal lands on the form (on its field when it names one, else form-wide) and
  the page renders again with everything the user typed; success adds a message
  and redirects.
* ``PostActionView`` for a button that posts (acknowledge, submit, resolve):
  name the ``service`` (it gets ``get_service_kwargs()`` and ``actor``) or
  implement ``perform()``; a refusal becomes an error message; both redirect.
* ``FilteredListMixin`` for a ``ListView`` with a filter form and paging: it binds
  the form once, hands ``filter_arguments()`` to the selector and puts ``filter_form``
  and ``querystring`` (the query without ``page``, for the pager's links) in the
  context.
"""

from django.contrib import messages
from django.core.exceptions import (
    ImproperlyConfigured,
    ObjectDoesNotExist,
    ValidationError,
)
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views import View

from clinic.exceptions import ApplicationError
from clinic.forms import ReasonForm, add_validation_error

# What a view catches from a service: nothing else is the user's to fix.
REFUSALS = (ValidationError, ApplicationError)


def refusal_messages(error: Exception) -> list[str]:
    """A service's refusal as the sentences to show the user."""
    if isinstance(error, ApplicationError):
        return [error.message]
    return list(error.messages)


def found_or_404(read, **lookup):
    """What a selector reads for the record a URL names (``read(pk=...)``), or a
    404 when there is no such record."""
    try:
        return read(**lookup)
    except ObjectDoesNotExist:
        raise Http404 from None


def querystring(request) -> str:
    """The request's query without ``page``: the pager appends its own."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class _ServiceCall:
    """``service``: the write a page makes, called with ``get_service_kwargs()``
    (the record the page is about), the form's fields (on a form) and the actor."""

    service = None

    def get_service_kwargs(self) -> dict:
        """The record the page is about, as the service names it
        (``{"claim": self.claim}``)."""
        return {}

    def call_service(self, form=None):
        if self.service is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__} must define perform() or service"
            )
        fields = form.cleaned_data if form is not None else {}
        return self.service(
            **self.get_service_kwargs(), **fields, actor=self.request.user
        )


class ServiceFormMixin(_ServiceCall):
    """``form_valid`` calls ``perform(form)``; refusals go onto the form.

    ``refusal_fields`` maps an ``ApplicationError`` subclass to the form field its
    message belongs on (``{DuplicateTherapy: "confirm_duplicate"}``); others are
    form-wide. ``success_message`` is formatted with ``get_success_message_data``.
    """

    refusal_fields: dict = {}
    success_message = ""

    def perform(self, form):
        return self.call_service(form)

    def get_success_message(self, result) -> str:
        return self.success_message

    def get_result_url(self, result) -> str:
        if hasattr(result, "get_absolute_url"):
            return result.get_absolute_url()
        return self.get_success_url()

    def form_valid(self, form):
        try:
            result = self.perform(form)
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        except ApplicationError as error:
            field = self._refusal_field(error)
            form.add_error(field if field in form.fields else None, error.message)
            return self.form_invalid(form)
        message = self.get_success_message(result)
        if message:
            messages.success(self.request, message)
        return redirect(self.get_result_url(result))

    def _refusal_field(self, error):
        for kind, field in self.refusal_fields.items():
            if isinstance(error, kind):
                return field
        return None


class ConfirmFormMixin:
    """A confirmation page (``clinic/confirm.html``) whose form asks a reason by
    default. ``title``, ``explanation`` and ``success_message`` are formatted with
    ``%(name)s`` = ``get_subject_name()``; ``submit_label`` and ``css_class`` make
    its button; ``get_crumbs()`` lists (label, URL) from the list page to the
    record's page, where Cancel leads."""

    template_name = "clinic/confirm.html"
    form_class = ReasonForm
    title = ""
    explanation = ""
    submit_label = _("Confirm")
    css_class = "btn-danger"
    success_message = ""

    def get_subject_name(self) -> str:
        raise ImproperlyConfigured(f"{type(self).__name__} must name its subject")

    def get_crumbs(self) -> list[tuple[str, str]]:
        raise ImproperlyConfigured(f"{type(self).__name__} must define get_crumbs()")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.form_class is ReasonForm:
            kwargs.update(submit_label=self.submit_label, css_class=self.css_class)
        return kwargs

    def get_context_data(self, **kwargs):
        crumbs = self.get_crumbs()
        return super().get_context_data(
            title=self.title % {"name": self.get_subject_name()},
            explanation=self.explanation,
            crumbs=crumbs,
            cancel_url=crumbs[-1][1],
            **kwargs,
        )

    def get_success_message(self, result) -> str:
        return self.success_message % {"name": self.get_subject_name()}


class PostActionView(_ServiceCall, View):
    """A button that posts: ``perform()`` calls the service (by default
    ``service`` with the page's record and the actor); a refusal is shown as an
    error message, success as ``get_success_message(result)``; both redirect to
    ``get_redirect_url(result)`` (the result's page by default, when it has one
    and the action succeeded)."""

    http_method_names = ["post"]
    success_message = ""

    def perform(self):
        return self.call_service()

    def get_success_message(self, result) -> str:
        return self.success_message

    def get_redirect_url(self, result=None) -> str:
        if result is not None and hasattr(result, "get_absolute_url"):
            return result.get_absolute_url()
        raise ImproperlyConfigured(
            f"{type(self).__name__} must define get_redirect_url(result)"
        )

    def refused(self, error) -> None:
        for text in refusal_messages(error):
            messages.error(self.request, text)

    def post(self, request, *args, **kwargs):
        try:
            result = self.perform()
        except REFUSALS as error:
            self.refused(error)
            return redirect(self.get_redirect_url(None))
        message = self.get_success_message(result)
        if message:
            messages.success(request, message)
        return redirect(self.get_redirect_url(result))


class FilteredListMixin:
    """A list with a filter form (bound to the query string) and paging.

    ``get_filters()`` is the form's cleaned data, or ``{}`` while the form is
    invalid (the form then shows its errors and the list is unfiltered, never a
    500). The context gets ``filter_form`` and ``querystring``.
    """

    filter_form_class = None

    def get_filter_form_kwargs(self) -> dict:
        return {}

    def get_filter_data(self):
        """What the filter form is bound to: the query string (None when empty, so
        the form is unbound); a page with defaults adds them here."""
        return self.request.GET or None

    @property
    def filter_form(self):
        if not hasattr(self, "_filter_form"):
            if self.filter_form_class is None:
                raise ImproperlyConfigured(
                    f"{type(self).__name__} must set filter_form_class"
                )
            self._filter_form = self.filter_form_class(
                self.get_filter_data(), **self.get_filter_form_kwargs()
            )
        return self._filter_form

    def get_filters(self) -> dict:
        form = self.filter_form
        return dict(form.cleaned_data) if form.is_valid() else {}

    def filter_arguments(self, *names: str, **renamed: str) -> dict:
        """The filters as a selector's keyword arguments: the fields ``names`` under
        their own names, each field of ``renamed`` under its argument's name
        (``q="query"``). An invalid form gives none, so the selector's defaults
        (everything) apply."""
        data = self.get_filters()
        wanted = {name: name for name in names} | renamed
        return {arg: data[field] for field, arg in wanted.items() if field in data}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter_form=self.filter_form, querystring=querystring(self.request)
        )
        return context
