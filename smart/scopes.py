"""SMART v2 system scopes: their syntax, and whether one scope covers another.

A scope is ``system/<resource type or *>.<letters>``: the letters are a subset of
``cruds`` written in that order (``rs``, ``cud``); SMART v1's ``read``, ``write``
and ``*`` are understood as ``rs``, ``cud`` and ``cruds``. Granular scopes (a
``?param=value`` suffix) are not offered.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The resource types the API serves (issue #19 item 1). Kept here until the fhir
# app's registry exists; the smart app sits below every app and cannot ask it.
RESOURCE_TYPES = (
    "Patient",
    "Practitioner",
    "PractitionerRole",
    "Organization",
    "Location",
    "Coverage",
    "AllergyIntolerance",
    "Encounter",
    "Appointment",
    "Schedule",
    "Slot",
    "MedicationRequest",
    "MedicationAdministration",
    "ServiceRequest",
    "Observation",
    "DiagnosticReport",
    "Communication",
    "Task",
)

LETTERS = "cruds"
V1_LETTERS = {"read": "rs", "write": "cud", "*": "cruds"}
_SCOPE = re.compile(
    r"system/(?P<kind>\*|[A-Z][A-Za-z]{1,63})\.(?P<letters>c?r?u?d?s?|read|write|\*)"
)

SCOPE_SYNTAX = _(
    "“%(scope)s” is not a SMART system scope. Write system/<resource type or *>."
    "<letters from cruds, in that order>, e.g. system/Patient.rs or system/*.r."
)
SCOPE_UNKNOWN_TYPE = _("“%(scope)s” names %(kind)s, which the API does not serve.")
SCOPES_REQUIRED = _("Give at least one scope.")


@dataclass(frozen=True)
class Scope:
    kind: str
    letters: frozenset[str]

    def covers(self, other: "Scope") -> bool:
        return self.kind in ("*", other.kind) and other.letters <= self.letters

    @property
    def served(self) -> bool:
        """Whether the API serves the resource type it names."""
        return self.kind == "*" or self.kind in RESOURCE_TYPES


def scope_parse(text: str) -> Scope | None:
    """The scope ``text`` names, or None when it is not a system scope."""
    match = _SCOPE.fullmatch(text)
    if match is None or not match["letters"]:
        return None
    letters = V1_LETTERS.get(match["letters"], match["letters"])
    return Scope(kind=match["kind"], letters=frozenset(letters))


def scopes_clean(text: str) -> list[str]:
    """The scopes of ``text`` (whitespace-separated), each checked; duplicates
    dropped, order kept. Raises ValidationError naming every bad one."""
    scopes = list(dict.fromkeys(text.split()))
    if not scopes:
        raise ValidationError(SCOPES_REQUIRED)
    errors = []
    for text in scopes:
        scope = scope_parse(text)
        if scope is None:
            errors.append(ValidationError(SCOPE_SYNTAX % {"scope": text}))
        elif not scope.served:
            errors.append(
                ValidationError(
                    SCOPE_UNKNOWN_TYPE % {"scope": text, "kind": scope.kind}
                )
            )
    if errors:
        raise ValidationError(errors)
    return scopes


def scopes_granted(*, requested: list[str], allowed: list[str]) -> list[str] | None:
    """The requested scopes when every one is covered by an allowed scope
    (``system/*.rs`` covers ``system/Patient.r``), else None."""
    allowed_scopes = [s for s in map(scope_parse, allowed) if s is not None]
    for text in requested:
        scope = scope_parse(text)
        if scope is None or not scope.served:
            return None
        if not any(granted.covers(scope) for granted in allowed_scopes):
            return None
    return list(dict.fromkeys(requested))
