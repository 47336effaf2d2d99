from django.urls import path

from selfservice.views import intakes, links

app_name = "selfservice"

# The patient's own links (no log-in): the visit id and its signed token.
VISIT = "my/visit/<int:pk>/<str:token>/"
VISIT_ACTIONS = {
    "confirm": links.LinkConfirmView,
    "cancel": links.LinkCancelView,
    "move": links.LinkMoveView,
}
INTAKE = "intakes/<int:pk>/"

urlpatterns = [
    path(VISIT, links.VisitLinkView.as_view(), name="visit"),
    *(
        path(f"{VISIT}{verb}/", view.as_view(), name=f"visit-{verb}")
        for verb, view in VISIT_ACTIONS.items()
    ),
    path(
        "my/intake/<int:pk>/<str:token>/", links.IntakeLinkView.as_view(), name="intake"
    ),
    # The front desk's intake pages.
    path("intakes/", intakes.IntakeListView.as_view(), name="intake-list"),
    path(INTAKE, intakes.IntakeReviewView.as_view(), name="intake-review"),
    path(f"{INTAKE}decide/", intakes.IntakeDecideView.as_view(), name="intake-decide"),
    path(
        f"{INTAKE}card/<str:side>/",
        intakes.IntakeCardView.as_view(),
        name="intake-card",
    ),
]
