"""The formulary: the list, a new drug, a drug's edit page."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, ListView, UpdateView

from clinic.edges import ServiceFormMixin, querystring
from clinic.permissions import RoleRequiredMixin
from medications import selectors, services
from medications.forms import MedicationForm
from medications.models import Medication
from medications.views.common import VIEW_FORMULARY

SAVED = _("Saved: %(m)s.")


class FormularyView(RoleRequiredMixin, ListView):
    permission_required = VIEW_FORMULARY
    template_name = "medications/formulary.html"
    context_object_name = "medications"
    paginate_by = 50

    def get_queryset(self):
        return selectors.formulary(query=self.request.GET.get("q", ""))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            q=self.request.GET.get("q", ""),
            # The pager keeps the search: page 2 of a search, not of everything.
            querystring=querystring(self.request),
            can_edit=self.request.user.has_perm("medications.change_medication"),
            **kwargs,
        )


class _MedicationFormMixin(RoleRequiredMixin, ServiceFormMixin):
    model = Medication
    form_class = MedicationForm
    template_name = "medications/medication_form.html"

    def perform(self, form):
        return services.medication_save(
            medication=form.instance, actor=self.request.user
        )

    def get_success_message(self, medication) -> str:
        return SAVED % {"m": medication}

    def get_result_url(self, medication) -> str:
        return reverse("medications:formulary")


class MedicationCreateView(_MedicationFormMixin, CreateView):
    permission_required = "medications.add_medication"


class MedicationUpdateView(_MedicationFormMixin, UpdateView):
    permission_required = "medications.change_medication"
