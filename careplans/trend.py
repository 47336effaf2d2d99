"""A goal's measurements over time: the results of its test with the target
drawn as the band where the goal is met (``diagnostics.trend``)."""

from careplans.models import Comparator
from careplans.progress import GoalState
from clinic.svg_chart import Chart
from diagnostics.trend import trend_chart


def goal_chart(state: GoalState) -> Chart | None:
    """None without a measured value (nothing to draw)."""
    goal = state.goal
    if not state.points or goal.target is None:
        return None
    below = goal.comparator in (Comparator.BELOW, Comparator.AT_MOST)
    return trend_chart(
        points=state.points,
        low=None if below else goal.target,
        high=goal.target if below else None,
        unit=goal.test.unit if goal.test_id else "",
        decimals=goal.test.decimals if goal.test_id else 1,
    )
