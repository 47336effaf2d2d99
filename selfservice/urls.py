from django.urls import path

from selfservice.views import intakes, links

app_name = "selfservice"

urlpatterns = [
    path("my/visit/<int:pk>/<str:token>/", links.VisitLinkView.as_view(), name="visit"),
    path(
        "my/visit/<int:pk>/<str:token>/confirm/",
        links.LinkConfirmView.as_view(),
        name="visit-confirm",
    ),
    path(
        "my/visit/<int:pk>/<str:token>/cancel/",
        links.LinkCancelView.as_view(),
        name="visit-cancel",
    ),
    path(
        "my/visit/<int:pk>/<str:token>/move/",
        links.LinkMoveView.as_view(),
        name="visit-move",
    ),
    path(
        "my/intake/<int:pk>/<str:token>/", links.IntakeLinkView.as_view(), name="intake"
    ),
    path("intakes/", intakes.IntakeListView.as_view(), name="intake-list"),
    path("intakes/<int:pk>/", intakes.IntakeReviewView.as_view(), name="intake-review"),
    path(
        "intakes/<int:pk>/decide/",
        intakes.IntakeDecideView.as_view(),
        name="intake-decide",
    ),
    path(
        "intakes/<int:pk>/card/<str:side>/",
        intakes.IntakeCardView.as_view(),
        name="intake-card",
    ),
]
