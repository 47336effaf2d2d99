"""Every write of the medications app (one use case per function, one transaction).

Split by subject: ``orders`` (clinicians), ``schedule`` (the dose schedule),
``doses`` (the bedside), ``overdue`` (the overdue-dose alerts), ``formulary``.
"""

from medications.services.doses import (
    Bedside,
    dose_administer,
    dose_hold,
    dose_refuse,
    prn_administer,
    prn_check,
)
from medications.services.formulary import medication_save
from medications.services.home import (
    HomeDrug,
    home_medication_add,
    reconciliation_complete,
    reconciliation_decide,
    reconciliation_start,
)
from medications.services.orders import (
    order_change,
    order_create,
    order_discontinue,
    order_hold,
    order_resume,
    orders_complete_ended,
)
from medications.services.overdue import overdue_alerts_raise
from medications.services.schedule import (
    schedule_cancel_open,
    schedule_generate,
    schedule_regenerate,
    schedules_generate_all,
)

__all__ = [
    "Bedside",
    "HomeDrug",
    "dose_administer",
    "dose_hold",
    "dose_refuse",
    "home_medication_add",
    "medication_save",
    "order_change",
    "order_create",
    "order_discontinue",
    "order_hold",
    "order_resume",
    "orders_complete_ended",
    "overdue_alerts_raise",
    "prn_administer",
    "prn_check",
    "reconciliation_complete",
    "reconciliation_decide",
    "reconciliation_start",
    "schedule_cancel_open",
    "schedule_generate",
    "schedule_regenerate",
    "schedules_generate_all",
]
