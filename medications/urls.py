from django.urls import path

from clinic.routes import record_actions
from medications import views

app_name = "medications"

urlpatterns = [
    path("", views.MarView.as_view(), name="mar"),
    path("scan/", views.ScanWristbandView.as_view(), name="scan"),
    path(
        "patients/<int:patient_pk>/", views.PatientMarView.as_view(), name="patient-mar"
    ),
    path(
        "patients/<int:patient_pk>/wristband.pdf",
        views.WristbandPdfView.as_view(),
        name="wristband",
    ),
    path(
        "patients/<int:patient_pk>/mar.pdf",
        views.MarPrintView.as_view(),
        name="mar-print",
    ),
    path(
        "patients/<int:patient_pk>/orders/new/",
        views.OrderCreateView.as_view(),
        name="order-create",
    ),
    path(
        "patients/<int:patient_pk>/home/",
        views.HomeMedicationListView.as_view(),
        name="home-list",
    ),
    path(
        "patients/<int:patient_pk>/home/review/",
        views.ReconciliationStartView.as_view(),
        name="review-start",
    ),
    path(
        "patients/<int:patient_pk>/home/review/complete/",
        views.ReconciliationCompleteView.as_view(),
        name="review-complete",
    ),
    path(
        "home/<int:pk>/decide/",
        views.ReconciliationDecideView.as_view(),
        name="review-decide",
    ),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<int:pk>/prn/", views.GivePrnView.as_view(), name="prn-give"),
    *record_actions(
        "doses/<int:pk>/",
        "dose",
        {"give": views.GiveDoseView, "status": views.DoseStatusView},
    ),
    path("formulary/", views.FormularyView.as_view(), name="formulary"),
    path(
        "formulary/new/", views.MedicationCreateView.as_view(), name="formulary-create"
    ),
    path(
        "formulary/<int:pk>/",
        views.MedicationUpdateView.as_view(),
        name="formulary-edit",
    ),
]
