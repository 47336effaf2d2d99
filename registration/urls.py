from django.urls import include, path

from registration import views

app_name = "registration"

# Pages about one patient: patients/<pk>/...
patient_patterns = [
    path("", views.PatientChartView.as_view(), name="patient-chart"),
    path("edit/", views.PatientUpdateView.as_view(), name="patient-edit"),
    path("merge/", views.PatientMergeView.as_view(), name="patient-merge"),
    path("coverages/new/", views.CoverageCreateView.as_view(), name="coverage-create"),
    path("allergies/new/", views.AllergyCreateView.as_view(), name="allergy-create"),
    path("allergies/none/", views.NoKnownAllergiesView.as_view(), name="allergy-none"),
    path("break-glass/", views.BreakGlassView.as_view(), name="break-glass"),
    path("restriction/", views.RestrictionView.as_view(), name="patient-restriction"),
]

coverage_patterns = [
    path("verify/", views.CoverageVerifyView.as_view(), name="coverage-verify"),
    path("card/<str:side>/", views.CoverageCardView.as_view(), name="coverage-card"),
]

urlpatterns = [
    path("patients/", views.PatientListView.as_view(), name="patient-list"),
    path("patients/new/", views.PatientCreateView.as_view(), name="patient-create"),
    path(
        "patients/new/duplicates/",
        views.DuplicateCheckView.as_view(),
        name="duplicate-check",
    ),
    path("patients/lookup/", views.PatientLookupView.as_view(), name="patient-lookup"),
    path("patients/<int:pk>/", include(patient_patterns)),
    path(
        "allergies/<int:pk>/status/",
        views.AllergyStatusView.as_view(),
        name="allergy-status",
    ),
    path("coverages/<int:pk>/", include(coverage_patterns)),
    path(
        "reports/restricted-access/review/",
        views.RestrictedAccessReviewView.as_view(),
        name="restricted-access-review",
    ),
]
