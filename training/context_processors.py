from django.conf import settings
from django.urls import reverse

from clinic.permissions import role_of
from training.help import help_for
from training.services import tour_resume_step
from training.tours import tour_data, tour_for_role


def help_panel(request) -> dict:
    """The help entry of the page being drawn (base.html shows it beside the
    page), the role's "Show me how" link and, on a page of that tour when asked
    (``?tour=slug``), the tour's steps on that page."""
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else None
    context = {
        "help_entry": help_for(view_name),
        "practice_mode": settings.PRACTICE_MODE,
    }
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    tour = tour_for_role(role_of(user))
    if tour is None:
        return context
    # The link asks where to resume only when followed: no query on every page.
    context["tour_url"] = reverse("training:tour-start", args=[tour.slug])
    if request.GET.get("tour") == tour.slug and view_name in tour.pages():
        context["tour_data"] = tour_data(
            tour,
            page=view_name,
            start_at=tour_resume_step(user=user, tour=tour.slug),
            progress_url=reverse("training:tour-progress", args=[tour.slug]),
        )
    return context
