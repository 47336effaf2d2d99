"""The two public endpoints of SMART Backend Services: the discovery document
and the token endpoint. No log-in; answers are JSON, errors RFC 6749's."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from smart import services
from smart.assertions import ALGORITHMS, TokenRequestRefused, assertion_issuer
from smart.scopes import RESOURCE_TYPES
from smart.throttle import token_request_failed, token_requests_locked

FORM_TYPE = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
TOO_MANY = _("Too many failed requests from this address; try again later.")


def token_endpoint_url() -> str:
    """The token endpoint's absolute URL: what ``aud`` must say."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("smart:token")


@login_not_required
@require_GET
def smart_configuration(request):
    scopes = ["system/*.rs"] + [f"system/{kind}.rs" for kind in RESOURCE_TYPES]
    return JsonResponse(
        {
            "token_endpoint": token_endpoint_url(),
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": list(ALGORITHMS),
            "grant_types_supported": ["client_credentials"],
            "scopes_supported": [*scopes, "system/Appointment.c"],
            "capabilities": ["client-confidential-asymmetric", "permission-v2"],
        }
    )


def _refused(refused: TokenRequestRefused) -> JsonResponse:
    headers = dict(NO_STORE)
    if refused.status == 429:
        headers["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return JsonResponse(
        {"error": refused.code, "error_description": refused.description},
        status=refused.status,
        headers=headers,
    )


def _params(request) -> dict[str, str]:
    """The form's parameters; each may be given once (RFC 6749 §3.2)."""
    if request.method != "POST":
        raise TokenRequestRefused(
            "invalid_request", description=_("Use POST."), status=405
        )
    if request.content_type != FORM_TYPE:
        raise TokenRequestRefused(
            "invalid_request",
            description=_("The body must be %(type)s.") % {"type": FORM_TYPE},
        )
    try:
        lists = list(request.POST.lists())
    except (SuspiciousOperation, UnicodeDecodeError):
        raise TokenRequestRefused("invalid_request") from None
    if any(len(values) > 1 for _name, values in lists):
        raise TokenRequestRefused(
            "invalid_request", description=_("A parameter is given twice.")
        )
    return {name: values[0] for name, values in lists}


@login_not_required
@csrf_exempt
def token(request):
    client_id = ""
    try:
        params = _params(request)
        client_id = assertion_issuer(params.get("client_assertion", ""))
        if token_requests_locked(request, client_id=client_id):
            raise TokenRequestRefused(
                "invalid_request", description=TOO_MANY, status=429
            )
        granted = services.token_grant(params=params, token_url=token_endpoint_url())
    except TokenRequestRefused as refused:
        if refused.code == "invalid_client":
            token_request_failed(request, client_id=client_id)
        response = _refused(refused)
        if refused.status == 405:
            response["Allow"] = "POST"
        return response
    return JsonResponse(granted.as_json(), headers=NO_STORE)
