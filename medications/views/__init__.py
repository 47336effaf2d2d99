"""The MAR pages, by subject: the unit grid and a patient's day (``mar``), the
bedside forms (``doses``), orders, the formulary, the printouts. Thin: parse,
call one service or selector, render; refusals go through ``clinic.edges``."""

from medications.views.doses import DoseStatusView, GiveDoseView, GivePrnView
from medications.views.formulary import (
    FormularyView,
    MedicationCreateView,
    MedicationUpdateView,
)
from medications.views.home import (
    HomeMedicationListView,
    ReconciliationCompleteView,
    ReconciliationDecideView,
    ReconciliationStartView,
)
from medications.views.mar import MarView, PatientMarView, ScanWristbandView
from medications.views.orders import OrderCreateView, OrderDetailView
from medications.views.printouts import MarPrintView, WristbandPdfView

__all__ = [
    "DoseStatusView",
    "FormularyView",
    "GiveDoseView",
    "GivePrnView",
    "HomeMedicationListView",
    "MarPrintView",
    "MarView",
    "MedicationCreateView",
    "MedicationUpdateView",
    "OrderCreateView",
    "OrderDetailView",
    "PatientMarView",
    "ReconciliationCompleteView",
    "ReconciliationDecideView",
    "ReconciliationStartView",
    "ScanWristbandView",
    "WristbandPdfView",
]
