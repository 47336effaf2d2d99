"""The client assertion of SMART Backend Services: who signed it, and whether it
may be traded for an access token.

A client authenticates with a JWT it signed with one of its registered keys
(RFC 7523 client authentication, SMART App Launch 2.x "Backend Services"):
header ``alg`` RS384 or ES384 and ``kid`` naming a registered key; claims
``iss`` = ``sub`` = its client_id, ``aud`` = the token endpoint's URL, ``exp`` at
most five minutes ahead, and a ``jti`` never seen before. Any failure of these is
``invalid_client`` (RFC 7523 §3.2, and SMART: "the server SHALL respond with an
invalid_client error"); the answer never says which check failed, the server's
log does.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from django.utils import timezone
from django.utils.translation import gettext as _

from smart.jwks import ALGORITHMS, jwks_key
from smart.models import BackendClient

logger = logging.getLogger(__name__)

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# An assertion may live at most this long; its jti is kept until it expires.
MAX_LIFETIME = timedelta(minutes=5)
# Clocks differ: an exp this much past the five minutes is still taken.
CLOCK_SKEW = timedelta(seconds=10)

DESCRIPTIONS = {
    "invalid_request": _("The request is malformed or misses a parameter."),
    "unsupported_grant_type": _("Only grant_type=client_credentials is supported."),
    "invalid_client": _("The client could not be authenticated."),
    "invalid_scope": _("A requested scope is not allowed for this client."),
}
STATUSES = {"invalid_client": 401}


class TokenRequestRefused(Exception):
    """An RFC 6749 error answer: ``code``, its HTTP status and a plain
    description; ``reason`` is for the server's log only."""

    def __init__(
        self, code: str, reason: str = "", description: str = "", status: int = 0
    ):
        super().__init__(reason or code)
        self.code = code
        self.reason = reason
        self.description = description or DESCRIPTIONS[code]
        self.status = status or STATUSES.get(code, 400)


@dataclass(frozen=True)
class VerifiedAssertion:
    client: BackendClient
    jti: str
    expires_at: datetime


def assertion_issuer(assertion: str) -> str:
    """The ``iss`` the assertion claims, unverified (to name the failure in the
    log-in throttle), or ""."""
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        return ""
    issuer = claims.get("iss") if isinstance(claims, dict) else None
    return issuer[:100] if isinstance(issuer, str) else ""


def client_refused(reason: str, client_id: str = "") -> TokenRequestRefused:
    logger.info("Token request refused (client %r): %s", client_id[:100], reason)
    return TokenRequestRefused("invalid_client", reason)


def assertion_verify(*, assertion: str, audience: str) -> VerifiedAssertion:
    """The client that signed ``assertion`` for ``audience``, or TokenRequestRefused.
    Does not look at the jti's earlier uses (the caller records it)."""
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError as error:
        raise client_refused(f"unreadable assertion: {error}") from None
    client_id = assertion_issuer(assertion)
    algorithm, kid = header.get("alg"), header.get("kid")
    if algorithm not in ALGORITHMS:
        raise client_refused(f"alg {algorithm!r} not accepted", client_id)
    client = BackendClient.objects.filter(client_id=client_id).first()
    if client is None:
        raise client_refused("unknown client", client_id)
    if not client.is_active:
        raise client_refused("client switched off", client_id)
    key = jwks_key(client.jwks, kid=kid, algorithm=algorithm)
    if key is None:
        raise client_refused(
            f"no registered {algorithm} key with kid {kid!r}", client_id
        )
    try:
        claims = jwt.decode(
            assertion,
            key=key.key,
            algorithms=[algorithm],
            audience=audience,
            issuer=client.client_id,
            leeway=CLOCK_SKEW,
            options={
                "require": ["iss", "sub", "aud", "exp", "jti"],
                "strict_aud": True,
            },
        )
    except jwt.PyJWTError as error:
        raise client_refused(f"assertion rejected: {error}", client_id) from None
    return _claims_check(client, claims)


def _claims_check(client: BackendClient, claims: dict) -> VerifiedAssertion:
    client_id = client.client_id
    if claims.get("sub") != client_id:
        raise client_refused("sub is not the client_id", client_id)
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 0 < len(jti) <= 255:
        raise client_refused("jti missing or longer than 255 characters", client_id)
    try:
        expires_at = datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise client_refused("exp is not a time", client_id) from None
    if expires_at > timezone.now() + MAX_LIFETIME + CLOCK_SKEW:
        raise client_refused("exp more than five minutes ahead", client_id)
    return VerifiedAssertion(client=client, jti=jti, expires_at=expires_at)
