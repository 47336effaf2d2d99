from django.urls import path

from clinic.routes import record_actions
from registration import views

app_name = "registration"

urlpatterns = [
    path("patients/", views.PatientListView.as_view(), name="patient-list"),
    path("patients/new/", views.PatientCreateView.as_view(), name="patient-create"),
    path(
        "patients/new/duplicates/",
        views.DuplicateCheckView.as_view(),
        name="duplicate-check",
    ),
    path("patients/lookup/", views.PatientLookupView.as_view(), name="patient-lookup"),
    path("patients/<int:pk>/", views.PatientChartView.as_view(), name="patient-chart"),
    *record_actions(
        "patients/<int:pk>/",
        "patient",
        {
            "edit": views.PatientUpdateView,
            "merge": views.PatientMergeView,
            "restriction": views.RestrictionView,
        },
    ),
    path(
        "patients/<int:pk>/coverages/new/",
        views.CoverageCreateView.as_view(),
        name="coverage-create",
    ),
    path(
        "patients/<int:pk>/allergies/new/",
        views.AllergyCreateView.as_view(),
        name="allergy-create",
    ),
    path(
        "patients/<int:pk>/allergies/none/",
        views.NoKnownAllergiesView.as_view(),
        name="allergy-none",
    ),
    path(
        "allergies/<int:pk>/status/",
        views.AllergyStatusView.as_view(),
        name="allergy-status",
    ),
    path(
        "patients/<int:pk>/contacts/new/",
        views.ContactCreateView.as_view(),
        name="contact-create",
    ),
    *record_actions(
        "contacts/<int:pk>/",
        "contact",
        {"edit": views.ContactUpdateView, "end": views.ContactEndView},
    ),
    path(
        "coverages/<int:pk>/verify/",
        views.CoverageVerifyView.as_view(),
        name="coverage-verify",
    ),
    path(
        "coverages/<int:pk>/card/<str:side>/",
        views.CoverageCardView.as_view(),
        name="coverage-card",
    ),
    path(
        "patients/<int:pk>/break-glass/",
        views.BreakGlassView.as_view(),
        name="break-glass",
    ),
    path(
        "reports/restricted-access/review/",
        views.RestrictedAccessReviewView.as_view(),
        name="restricted-access-review",
    ),
]
