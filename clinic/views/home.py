from django.views.generic import TemplateView

from clinic.dashboard import panels_for
from clinic.permissions import AnyStaffMixin


class HomeView(AnyStaffMixin, TemplateView):
    """Every logged-in user's home: the panels of their role."""

    template_name = "clinic/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(panels=panels_for(self.request), **kwargs)
