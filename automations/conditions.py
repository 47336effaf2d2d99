"""Conditions: which facts they test and whether an event's facts pass them."""

from automations.models import Automation, Condition

F = Condition.Field
OP = Condition.Operator

# Facts tested by a list of values vs. by a number vs. yes / no.
LIST_FIELDS = {
    F.APPOINTMENT_TYPE: "appointment_type",
    F.PROVIDER: "provider",
    F.LOCATION: "location",
    F.PAYER: "payer",
    F.AGE_BAND: "age_band",
    F.LANGUAGE: "language",
    F.RESULT_FLAG: "result_flags",
    F.PROBLEM: "problem",
    F.PLAN: "plan",
    F.ACTIVITY: "activity",
}
NUMBER_FIELDS = {F.DAYS_SINCE_LAST_VISIT: "days_since_last_visit"}
YES_NO_FIELDS = {F.FIRST_VISIT: "first_visit"}


def condition_holds(condition: Condition, facts: dict) -> bool:
    """A fact the event does not have fails the condition (never passes silently)."""
    field = condition.field
    if field in LIST_FIELDS:
        value = facts.get(LIST_FIELDS[field])
        if value in (None, "", []):
            return False
        have = {str(v) for v in value} if isinstance(value, list) else {str(value)}
        wanted = {str(v) for v in condition.values}
        inside = bool(have & wanted)
        return inside if condition.operator == OP.IN else not inside
    if field in NUMBER_FIELDS:
        value = facts.get(NUMBER_FIELDS[field])
        if value is None or condition.number is None:
            # "Days since last visit" with no earlier visit: as long ago as can be.
            if (
                value is None
                and field == F.DAYS_SINCE_LAST_VISIT
                and (condition.operator == OP.AT_LEAST)
            ):
                return "patient_id" in facts
            return False
        if condition.operator == OP.AT_LEAST:
            return value >= condition.number
        return value <= condition.number
    if field in YES_NO_FIELDS:
        value = facts.get(YES_NO_FIELDS[field])
        if value is None:
            return False
        return bool(value) == (condition.values[:1] == ["yes"])
    return False


def conditions_match(
    automation: Automation, facts: dict, conditions: list[Condition] | None = None
) -> bool:
    """All (or any) of the automation's conditions hold; no condition: always."""
    if conditions is None:
        conditions = list(automation.conditions.all())
    if not conditions:
        return True
    results = (condition_holds(c, facts) for c in conditions)
    if automation.match == Automation.Match.ANY:
        return any(results)
    return all(results)
