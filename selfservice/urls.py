from django.urls import path

from clinic.routes import record_actions
from selfservice.views import intakes, links

app_name = "selfservice"

# The patient's own links (no log-in): the visit id and its signed token.
VISIT = "my/visit/<int:pk>/<str:token>/"
INTAKE = "intakes/<int:pk>/"

urlpatterns = [
    path(VISIT, links.VisitLinkView.as_view(), name="visit"),
    *record_actions(
        VISIT,
        "visit",
        {
            "confirm": links.LinkConfirmView,
            "cancel": links.LinkCancelView,
            "move": links.LinkMoveView,
        },
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
