from django.views.generic import TemplateView

from clinic.dashboard import panels_for
from clinic.mixins import ListAccessLogMixin
from clinic.permissions import AnyStaffMixin


class HomeView(AnyStaffMixin, ListAccessLogMixin, TemplateView):
    """Every logged-in user's home: the panels of their role (doses due, visits,
    results to review name patients: an access-log row per look)."""

    template_name = "clinic/home.html"
    access_what = "home: my work today"

    def get_context_data(self, **kwargs):
        return super().get_context_data(panels=panels_for(self.request), **kwargs)
