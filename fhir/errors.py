"""Every error the API answers is an OperationOutcome (FHIR R4 ``OperationOutcome``)."""

from clinic.fhir_datatypes import clean


class FhirError(Exception):
    """An answer other than success: HTTP ``status``, the issue's ``code``
    (FHIR's IssueType: invalid, not-found, not-supported, login, forbidden,
    deleted, conflict, ...) and ``diagnostics`` a client's developer can act on."""

    def __init__(
        self,
        status: int,
        code: str,
        diagnostics: str,
        *,
        expression: str | None = None,
        headers: dict | None = None,
        details: dict | None = None,
    ):
        super().__init__(diagnostics)
        self.status = status
        self.code = code
        self.diagnostics = diagnostics
        self.expression = expression
        self.headers = headers or {}
        self.details = details

    def outcome(self) -> dict:
        body = operation_outcome(
            self.code, self.diagnostics, expression=self.expression
        )
        if self.details:
            body["issue"][0]["details"] = self.details
        return body


def invalid(diagnostics: str, *, expression: str | None = None) -> FhirError:
    return FhirError(400, "invalid", diagnostics, expression=expression)


def issue(severity: str, code: str, diagnostics: str, expression=None) -> dict:
    return clean(
        {
            "severity": severity,
            "code": code,
            "diagnostics": diagnostics,
            "expression": [expression] if expression else [],
        }
    )


def operation_outcome(
    code: str, diagnostics: str, *, severity: str = "error", expression=None
) -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [issue(severity, code, diagnostics, expression)],
    }
