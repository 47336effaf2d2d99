"""The engine: an event → the automations it starts → their actions.

``batches`` turns events into runs (once each) and does their actions up to a wait;
``runs`` carries a run on step by step (waits, retries) and stops it.
"""

from automations.engine.batches import (
    LOOP_STOPPED,
    MAX_DEPTH,
    automations_for,
    event_process,
    events_process,
    events_process_all,
)
from automations.engine.runs import (
    automation_stop_pending,
    event_subject,
    run_advance,
    run_stop,
    wait_fire,
)

__all__ = [
    "LOOP_STOPPED",
    "MAX_DEPTH",
    "automation_stop_pending",
    "automations_for",
    "event_process",
    "event_subject",
    "events_process",
    "events_process_all",
    "run_advance",
    "run_stop",
    "wait_fire",
]
