from django.urls import path

from careplans import views

app_name = "careplans"

urlpatterns = [
    path(
        "patients/<int:patient_pk>/problems/",
        views.ProblemListView.as_view(),
        name="problems",
    ),
    path(
        "problems/<int:pk>/resolve/",
        views.ProblemResolveView.as_view(),
        name="problem-resolve",
    ),
    path("problems/<int:pk>/plan/", views.PlanCreateView.as_view(), name="plan-create"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan"),
    path(
        "plans/<int:pk>/activities/new/",
        views.ActivityCreateView.as_view(),
        name="activity-create",
    ),
    path(
        "activities/<int:pk>/education/",
        views.EducationRecordView.as_view(),
        name="education-record",
    ),
]
