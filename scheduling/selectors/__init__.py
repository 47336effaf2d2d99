"""Reads of the scheduling app shared by pages, jobs and exports, by subject;
import them from here."""

from scheduling.selectors.day_grid import (
    CHIP_FIELDS,
    GRID_END,
    GRID_START,
    GRID_STEP_MINUTES,
    ChipRow,
    GridCell,
    GridRow,
    appointments_between,
    build_grid,
    day_view,
    eligibility_state,
    no_show_counts,
    optional_choices,
    today_board,
    week_view,
)
from scheduling.selectors.patients import patient_appointments, patient_visit_today
from scheduling.selectors.waitlist import waitlist_candidates, waitlist_entry_for

__all__ = [
    "CHIP_FIELDS",
    "GRID_END",
    "GRID_START",
    "GRID_STEP_MINUTES",
    "ChipRow",
    "GridCell",
    "GridRow",
    "appointments_between",
    "build_grid",
    "day_view",
    "eligibility_state",
    "optional_choices",
    "no_show_counts",
    "patient_appointments",
    "patient_visit_today",
    "today_board",
    "waitlist_candidates",
    "waitlist_entry_for",
    "week_view",
]
