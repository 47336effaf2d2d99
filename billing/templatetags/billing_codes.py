"""Billing's codes by name on its pages: ``{% load billing_codes %}``,
``{{ claim.place_of_service|place_of_service }}`` ("11" → "11 Office") and
``{{ "UN"|unit_name }}`` ("units")."""

from django import template

from billing.x12 import code_lists

register = template.Library()
register.filter("place_of_service", code_lists.place_of_service_name)
register.filter("unit_name", code_lists.unit_name)
