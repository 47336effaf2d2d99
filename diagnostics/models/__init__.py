"""Diagnostic tests, by subject: the catalogue, orders and specimens, results,
HL7 messages. Every model keeps the ``diagnostics`` app label."""

from diagnostics.models.catalogue import (
    ICD10CM_SHAPE,
    LOINC_SHAPE,
    Panel,
    ReferenceRange,
    SpecimenType,
    TestDefinition,
)
from diagnostics.models.hl7 import Hl7Message, Hl7Upload
from diagnostics.models.orders import DiagnosticOrder, OrderedTest, Specimen
from diagnostics.models.results import CriticalAcknowledgement, Observation

__all__ = [
    "ICD10CM_SHAPE",
    "LOINC_SHAPE",
    "CriticalAcknowledgement",
    "DiagnosticOrder",
    "Hl7Message",
    "Hl7Upload",
    "Observation",
    "OrderedTest",
    "Panel",
    "ReferenceRange",
    "Specimen",
    "SpecimenType",
    "TestDefinition",
]
