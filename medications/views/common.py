"""What the MAR pages share: the permissions they ask, the user's unit."""

from medications import selectors

VIEW_MAR = "medications.view_scheduleddose"
ADMINISTER = "medications.add_administration"
CHART_DOSE = "medications.change_scheduleddose"
VIEW_ORDERS = "medications.view_medicationorder"
ORDER = "medications.add_medicationorder"
CHANGE_ORDER = "medications.change_medicationorder"
VIEW_FORMULARY = "medications.view_medication"


def default_location(request, locations: list | None = None):
    """The user's own unit, else the infusion unit, else the first one."""
    locations = list(selectors.mar_locations()) if locations is None else locations
    return _preferred(request, locations)


def mar_default_location(request, locations: list):
    """The unit a MAR opens on: never an empty one while a unit has patients. The
    user's own unit when it has patients, else the infusion unit, else the first
    unit with patients; only when no unit has any, ``default_location``."""
    busy = selectors.mar_locations_with_patients()
    with_patients = [loc for loc in locations if loc.pk in busy]
    return _preferred(request, with_patients) or _preferred(request, locations)


def _preferred(request, locations: list):
    """Of ``locations``: the user's own, else the infusion unit, else the first."""
    profile = getattr(request.user, "profile", None)
    mine = getattr(profile, "default_location_id", None)
    for wanted in (
        lambda loc: loc.pk == mine,
        lambda loc: loc.kind == "infusion",
        lambda loc: True,
    ):
        found = next((loc for loc in locations if wanted(loc)), None)
        if found is not None:
            return found
    return None
