"""Domain errors of the care plans; their messages are for the user."""

from clinic.exceptions import ApplicationError


class ProblemAlreadyListed(ApplicationError):
    """The patient already has this condition on the active problem list."""


class PlanClosed(ApplicationError):
    """The plan is completed or stopped: it changes no more."""
