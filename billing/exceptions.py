"""Billing's domain errors: states that forbid an action, with a clerk's message."""

from clinic.exceptions import ApplicationError


class BillingError(ApplicationError):
    """A billing action that the claim's or the batch's state forbids."""


class RemittanceRefused(ApplicationError):
    """An 835 that cannot be posted; nothing of it was written."""
