"""What billing's models share: money columns."""

from decimal import Decimal

from django.db import models

ZERO = Decimal("0.00")


def money(**kwargs):
    return models.DecimalField(max_digits=11, decimal_places=2, **kwargs)
