"""The API's edge: JSON in and out, bearer tokens, and an OperationOutcome for
every error.

``fhir_endpoint`` wraps each view: no staff log-in or CSRF (a client proves
itself with a SMART bearer token instead), ``application/fhir+json`` answers,
``Cache-Control: no-store`` (they carry PHI), and any ``FhirError``,
``ValidationError`` or ``ApplicationError`` becomes an OperationOutcome with its
status.
"""

import json
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from clinic.exceptions import ApplicationError
from fhir.errors import FhirError
from smart.tokens import TokenRefused, grant_from_request

CONTENT_TYPE = "application/fhir+json; charset=utf-8"
JSON_TYPES = ("application/fhir+json", "application/json")
MAX_BODY = 1_000_000


def fhir_response(body: dict | None, status: int = 200, headers=None) -> HttpResponse:
    content = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
    response = HttpResponse(content, status=status, content_type=CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(error: FhirError) -> HttpResponse:
    return fhir_response(error.outcome(), error.status, error.headers)


def _messages(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages) or "The request is not valid."


def fhir_endpoint(view):
    """An API view: token-authenticated (``token_authenticated`` tells the URL
    walk so), errors as OperationOutcomes."""

    @login_not_required
    @csrf_exempt
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except FhirError as error:
            return error_response(error)
        except ValidationError as error:
            return error_response(FhirError(400, "invalid", _messages(error)))
        except ApplicationError as error:
            return error_response(FhirError(409, "conflict", str(error)))

    wrapped.token_authenticated = True
    return wrapped


def client_grant(request):
    """The grant of the request's bearer token; a FhirError 401 / 403 when the
    token is missing, unknown, expired or its client switched off."""
    try:
        return grant_from_request(request)
    except TokenRefused as refused:
        headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        raise FhirError(
            refused.status, refused.code, refused.diagnostics, headers=headers
        ) from refused


def authorize(request, resource_type: str, interaction: str):
    """The client's grant when its token allows ``interaction`` ("r", "s", "c")
    on ``resource_type``; a FhirError 401 / 403 otherwise."""
    grant = client_grant(request)
    if not grant.allows(resource_type, interaction):
        raise FhirError(
            403,
            "forbidden",
            f"The token's scopes do not allow this on {resource_type} "
            f"(system/{resource_type}.{interaction} is needed).",
        )
    return grant


def json_body(request) -> dict:
    """The request's resource: JSON with a FHIR content type, an object."""
    kind = request.content_type or ""
    if kind not in JSON_TYPES:
        raise FhirError(
            415,
            "not-supported",
            "Send application/fhir+json.",
            expression="Content-Type",
        )
    if len(request.body) > MAX_BODY:
        raise FhirError(413, "too-costly", "The body is too large.")
    try:
        body = json.loads(request.body)
    except (UnicodeDecodeError, ValueError) as error:
        raise FhirError(400, "structure", f"The body is not JSON: {error}.") from error
    if not isinstance(body, dict) or not isinstance(body.get("resourceType"), str):
        raise FhirError(400, "structure", "The body is not a FHIR resource.")
    return body


def base_url(request) -> str:
    return request.build_absolute_uri("/fhir/")
