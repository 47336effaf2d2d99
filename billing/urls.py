from django.urls import path

from billing import views
from clinic.routes import record_actions

app_name = "billing"

urlpatterns = [
    path("claims/", views.ClaimListView.as_view(), name="claim-list"),
    path("claims/<int:pk>/", views.ClaimDetailView.as_view(), name="claim-detail"),
    *record_actions(
        "claims/<int:pk>/",
        "claim",
        {
            "ready": views.ClaimReadyView,
            "scrub": views.ClaimScrubView,
            "correct": views.ClaimCorrectView,
            "void": views.ClaimVoidView,
            "close": views.ClaimCloseView,
            "edit": views.ClaimEditView,
            "assign": views.ClaimAssignView,
        },
    ),
    path(
        "claims/<int:pk>/lines/add/",
        views.ClaimLineAddView.as_view(),
        name="claim-line-add",
    ),
    path(
        "claims/<int:pk>/lines/<int:line>/",
        views.ClaimLineEditView.as_view(),
        name="claim-line-edit",
    ),
    path(
        "claims/<int:pk>/lines/<int:line>/remove/",
        views.ClaimLineRemoveView.as_view(),
        name="claim-line-remove",
    ),
    path("claims/<int:pk>/notes/", views.ClaimNoteView.as_view(), name="claim-note"),
    path("claims/<int:pk>/cms1500.pdf", views.ClaimPdfView.as_view(), name="claim-pdf"),
    path("submit/", views.SubmitView.as_view(), name="submit"),
    path("submit/review/", views.SubmitReviewView.as_view(), name="submit-review"),
    path("queues/", views.WorkQueueView.as_view(), name="work-queue"),
    path("visits/", views.VisitListView.as_view(), name="visit-list"),
    path("visits/<int:pk>/", views.VisitChargesView.as_view(), name="visit-charges"),
    path("visits/<int:pk>/charges/", views.ChargeAddView.as_view(), name="charge-add"),
    path(
        "visits/<int:pk>/diagnoses/",
        views.DiagnosisAddView.as_view(),
        name="diagnosis-add",
    ),
    path(
        "visits/<int:pk>/claim/", views.ClaimCreateView.as_view(), name="claim-create"
    ),
    path("charges/<int:pk>/", views.ChargeEditView.as_view(), name="charge-edit"),
    path(
        "charges/<int:pk>/remove/",
        views.ChargeRemoveView.as_view(),
        name="charge-remove",
    ),
    path(
        "diagnoses/<int:pk>/remove/",
        views.DiagnosisRemoveView.as_view(),
        name="diagnosis-remove",
    ),
    path(
        "diagnoses/<int:pk>/problem/",
        views.DiagnosisToProblemView.as_view(),
        name="diagnosis-to-problem",
    ),
    path(
        "diagnoses/search/",
        views.Icd10cmSearchView.as_view(),
        name="icd10cm-search",
    ),
    path("batches/", views.BatchListView.as_view(), name="batch-list"),
    path("batches/<int:pk>/", views.BatchDetailView.as_view(), name="batch-detail"),
    path(
        "batches/<int:pk>/837p.x12",
        views.BatchDownloadView.as_view(),
        name="batch-download",
    ),
    path("batches/<int:pk>/retry/", views.BatchRetryView.as_view(), name="batch-retry"),
    path("remittances/", views.RemittanceListView.as_view(), name="remittance-list"),
    path(
        "remittances/upload/",
        views.RemittanceUploadView.as_view(),
        name="remittance-upload",
    ),
    path(
        "remittances/uploads/<int:pk>/",
        views.RemittanceUploadDetailView.as_view(),
        name="remittance-upload-detail",
    ),
    path(
        "remittances/<int:pk>/",
        views.RemittanceDetailView.as_view(),
        name="remittance-detail",
    ),
    path("exceptions/", views.ExceptionListView.as_view(), name="exception-list"),
    path(
        "exceptions/<int:pk>/resolve/",
        views.ExceptionResolveView.as_view(),
        name="exception-resolve",
    ),
    path("reports/", views.BillingReportsView.as_view(), name="reports"),
]
