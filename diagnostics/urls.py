from django.urls import path

from clinic.routes import record_actions
from diagnostics import views

app_name = "diagnostics"

urlpatterns = [
    path("", views.OrderListView.as_view(), name="order-list"),
    path("new/", views.OrderCreateView.as_view(), name="order-create"),
    path("review/", views.ReviewInboxView.as_view(), name="review-list"),
    path("catalogue/", views.CatalogueView.as_view(), name="catalogue"),
    path("turnaround/", views.TurnaroundView.as_view(), name="turnaround"),
    path("<int:pk>/", views.OrderDetailView.as_view(), name="order-detail"),
    *record_actions(
        "<int:pk>/",
        "order",
        {
            "cancel": views.OrderCancelView,
            "collect": views.OrderCollectView,
            "send": views.OrderSendView,
            "review": views.OrderReviewView,
        },
    ),
    path("<int:pk>/results/", views.ResultEntryView.as_view(), name="result-entry"),
    path(
        "<int:pk>/requisition.pdf",
        views.RequisitionPdfView.as_view(),
        name="requisition-pdf",
    ),
    path("<int:pk>/labels.pdf", views.LabelPdfView.as_view(), name="label-pdf"),
    path("<int:pk>/report.pdf", views.ReportPdfView.as_view(), name="report-pdf"),
    path(
        "results/<int:pk>/acknowledge/",
        views.ObservationAcknowledgeView.as_view(),
        name="observation-acknowledge",
    ),
    path("hl7/", views.Hl7ListView.as_view(), name="hl7-list"),
    path("hl7/upload/", views.Hl7UploadView.as_view(), name="hl7-upload"),
    path(
        "hl7/uploads/<int:pk>/",
        views.Hl7UploadDetailView.as_view(),
        name="hl7-upload-detail",
    ),
    path("hl7/<int:pk>/", views.Hl7DetailView.as_view(), name="hl7-detail"),
    *record_actions(
        "hl7/<int:pk>/",
        "hl7",
        {"reprocess": views.Hl7ReprocessView, "set-aside": views.Hl7SetAsideView},
    ),
]
