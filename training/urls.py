from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    path("pain-points/", views.PainPointsView.as_view(), name="pain-points"),
    path("exercises/", views.ExerciseListView.as_view(), name="exercises"),
    path(
        "practice-outbox/",
        views.PracticeOutboxView.as_view(),
        name="practice-outbox",
    ),
    path("tours/<slug:slug>/", views.TourStartView.as_view(), name="tour-start"),
    path(
        "tours/<slug:slug>/progress/",
        views.TourProgressView.as_view(),
        name="tour-progress",
    ),
]
