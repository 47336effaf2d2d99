"""What diagnostics lends to automations (``automations.sources``): its result
model (critical-result outcomes) and the choices of the result-flag condition.
Registered in ``DiagnosticsConfig.ready``."""

from automations.models import Condition
from automations.sources import SOURCES
from diagnostics.models import Observation


def register() -> None:
    SOURCES.result_model = Observation
    SOURCES.choices[Condition.Field.RESULT_FLAG] = lambda: list(
        Observation.Flag.choices
    )
