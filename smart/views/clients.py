"""Administrator pages: the registered API clients."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView, ListView

from clinic.edges import ConfirmFormMixin, FilteredListMixin, ServiceFormMixin
from clinic.mixins import ListAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from smart import selectors, services
from smart.forms import ClientFilterForm, ClientForm
from smart.models import BackendClient
from smart.views.endpoints import token_endpoint_url


class ClientListView(RoleRequiredMixin, FilteredListMixin, ListView):
    permission_required = "smart.view_backendclient"
    template_name = "smart/client_list.html"
    paginate_by = 25
    context_object_name = "clients"
    filter_form_class = ClientFilterForm

    def get_queryset(self):
        return selectors.client_list(**self.filter_arguments("switched", q="query"))


class ClientDetailView(RoleRequiredMixin, ListAccessLogMixin, DetailView):
    """The client's page lists its latest reads of patients' data: looking at it
    is itself a look, logged."""

    permission_required = "smart.view_backendclient"
    template_name = "smart/client_detail.html"
    model = BackendClient
    context_object_name = "client"

    def get_access_what(self) -> str:
        return f"API client {self.object.name}: recent reads"[:200]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            token_url=token_endpoint_url(),
            tokens=selectors.client_recent_tokens(client=self.object),
            reads=selectors.client_recent_reads(client=self.object),
            **kwargs,
        )


class ClientCreateView(RoleRequiredMixin, ServiceFormMixin, FormView):
    permission_required = "smart.add_backendclient"
    template_name = "smart/client_form.html"
    form_class = ClientForm
    extra_context = {"title": _("Register an API client")}
    success_message = _("Client registered. Give it its client id and the token URL.")
    service = staticmethod(services.client_register)


class _ClientMixin(RoleRequiredMixin):
    permission_required = "smart.change_backendclient"

    def dispatch(self, request, *args, **kwargs):
        self.client = get_object_or_404(BackendClient, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_result_url(self, result):
        return self.client.get_absolute_url()

    def get_service_kwargs(self) -> dict:
        return {"client": self.client}

    def get_context_data(self, **kwargs):
        return super().get_context_data(client=self.client, **kwargs)


class ClientUpdateView(_ClientMixin, ServiceFormMixin, FormView):
    template_name = "smart/client_form.html"
    form_class = ClientForm
    success_message = _("Changes saved; they apply to the next token request.")
    service = staticmethod(services.client_update)

    def get_initial(self):
        return ClientForm.initial_of(self.client)

    def get_context_data(self, **kwargs):
        title = _("Edit %(name)s") % {"name": self.client.name}
        return super().get_context_data(title=title, **kwargs)


class _ClientSwitchView(_ClientMixin, ConfirmFormMixin, ServiceFormMixin, FormView):
    """A confirmation page asking a reason, kept in the client's history."""

    switch_on = False
    service = staticmethod(services.client_switch)

    def get_subject_name(self) -> str:
        return self.client.name

    def get_crumbs(self):
        return [
            (_("API clients"), reverse("smart:client-list")),
            (self.client.name, self.client.get_absolute_url()),
        ]

    def get_service_kwargs(self) -> dict:
        return {**super().get_service_kwargs(), "on": self.switch_on}


class ClientSwitchOffView(_ClientSwitchView):
    title = _("Switch off %(name)s")
    explanation = _(
        "The client gets no new token, and the tokens it holds stop working now: "
        "its next request to the API is refused."
    )
    submit_label = _("Switch off")
    css_class = "btn-danger"
    success_message = _("%(name)s is switched off; its tokens no longer work.")


class ClientSwitchOnView(_ClientSwitchView):
    title = _("Switch on %(name)s")
    explanation = _("The client may ask for tokens again with its registered keys.")
    submit_label = _("Switch on")
    css_class = "btn-primary"
    switch_on = True
    success_message = _("%(name)s is switched on.")
