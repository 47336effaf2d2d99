"""Pages of diagnostics, by subject."""

from diagnostics.views.hl7 import (
    Hl7DetailView,
    Hl7ListView,
    Hl7ReprocessView,
    Hl7SetAsideView,
    Hl7UploadDetailView,
    Hl7UploadView,
)
from diagnostics.views.orders import (
    LabelPdfView,
    OrderCancelView,
    OrderCollectView,
    OrderCreateView,
    OrderDetailView,
    OrderListView,
    OrderSendView,
    ReportPdfView,
    RequisitionPdfView,
)
from diagnostics.views.reports import CatalogueView, TurnaroundView
from diagnostics.views.results import (
    ObservationAcknowledgeView,
    OrderReviewView,
    ResultEntryView,
    ReviewInboxView,
)

__all__ = [
    "CatalogueView",
    "Hl7DetailView",
    "Hl7ListView",
    "Hl7ReprocessView",
    "Hl7SetAsideView",
    "Hl7UploadDetailView",
    "Hl7UploadView",
    "LabelPdfView",
    "ObservationAcknowledgeView",
    "OrderCancelView",
    "OrderCollectView",
    "OrderCreateView",
    "OrderDetailView",
    "OrderListView",
    "OrderReviewView",
    "OrderSendView",
    "ReportPdfView",
    "RequisitionPdfView",
    "ResultEntryView",
    "ReviewInboxView",
    "TurnaroundView",
]
