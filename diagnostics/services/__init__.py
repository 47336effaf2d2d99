"""Writes of diagnostics, one use case per function, one transaction each:
orders and specimens in ``orders``, results, critical acknowledgement and review in
``results``."""

from diagnostics.services.orders import (
    CANCELLABLE,
    COLLECTABLE,
    RESULTABLE,
    REVIEWABLE,
    accession_next,
    order_cancel,
    order_create,
    order_send_to_lab,
    order_specimen_types,
    specimen_collect,
)
from diagnostics.services.results import (
    LOOK_UP,
    ResultValue,
    critical_acknowledge,
    order_review,
    order_status_refresh,
    parse_manual_value,
    result_record,
    results_enter,
    unacknowledged_criticals,
)

__all__ = [
    "CANCELLABLE",
    "COLLECTABLE",
    "LOOK_UP",
    "RESULTABLE",
    "REVIEWABLE",
    "ResultValue",
    "accession_next",
    "critical_acknowledge",
    "order_cancel",
    "order_create",
    "order_review",
    "order_send_to_lab",
    "order_specimen_types",
    "order_status_refresh",
    "parse_manual_value",
    "result_record",
    "results_enter",
    "specimen_collect",
    "unacknowledged_criticals",
]
