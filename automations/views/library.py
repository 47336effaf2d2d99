"""The starter library: ready-made automations to copy (switched off)."""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from automations import services
from automations.starters import BY_SLUG, STARTERS
from automations.views.editor import ADD, VIEW
from clinic.edges import PostActionView
from clinic.permissions import RoleRequiredMixin


class LibraryView(RoleRequiredMixin, TemplateView):
    permission_required = VIEW
    template_name = "automations/library.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["starters"] = STARTERS
        return context


class StarterCopyView(RoleRequiredMixin, PostActionView):
    permission_required = ADD

    def perform(self):
        starter = BY_SLUG.get(self.kwargs["slug"])
        if starter is None:
            raise Http404
        return services.automation_copy(source=starter, actor=self.request.user)

    def get_redirect_url(self, result=None) -> str:
        return result.get_absolute_url() if result else reverse("automations:library")

    def get_success_message(self, result) -> str:
        return _("Copied “%(name)s”. Adapt it, try a dry run, then switch it on.") % {
            "name": result.name
        }
