"""The one seam between the FHIR API and authorization.

``grant_from_request(request)`` reads ``Authorization: Bearer <token>`` and answers
the client's :class:`Grant` or raises :class:`TokenRefused` (status 401 for a
missing, unknown or expired token; 403 for a client switched off). A resource
view then asks ``grant.allows("Patient", "r")`` for the interaction it serves
(SMART v2 letters: c create, r read, u update, d delete, s search).
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from smart.models import AccessToken, BackendClient, access_username, token_hash
from smart.scopes import Scope, scope_parse

TOKEN_LIFETIME = timedelta(minutes=5)


class TokenRefused(Exception):
    def __init__(self, status: int, code: str, diagnostics: str):
        super().__init__(diagnostics)
        self.status = status
        self.code = code
        self.diagnostics = diagnostics


def scope_allows(scope: str, resource_type: str, interaction: str) -> bool:
    """``system/Patient.rs`` allows Patient read and search; ``system/*.r`` any
    read. SMART v1's ``.read`` / ``.write`` / ``.*`` are understood too."""
    granted = scope_parse(scope)
    wanted = Scope(kind=resource_type, letters=frozenset(interaction))
    return granted is not None and granted.covers(wanted)


@dataclass(frozen=True)
class Grant:
    client: BackendClient
    scopes: tuple[str, ...]

    def allows(self, resource_type: str, interaction: str) -> bool:
        return any(scope_allows(s, resource_type, interaction) for s in self.scopes)

    @property
    def username(self) -> str:
        """The name access-log rows carry for this client."""
        return access_username(self.client.name)


def token_issue(*, client: BackendClient, scopes: list[str]) -> tuple[str, AccessToken]:
    """A new access token for ``client`` (already authenticated) and its row."""
    token = secrets.token_urlsafe(32)
    row = AccessToken.objects.create(
        client=client,
        token_hash=token_hash(token),
        scopes=" ".join(scopes),
        expires_at=timezone.now() + TOKEN_LIFETIME,
    )
    return token, row


def grant_from_request(request) -> Grant:
    header = request.headers.get("Authorization", "")
    kind, _, token = header.partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        raise TokenRefused(401, "login", "A bearer access token is required.")
    row = (
        AccessToken.objects.select_related("client")
        .filter(token_hash=token_hash(token.strip()))
        .first()
    )
    if row is None:
        raise TokenRefused(401, "login", "The access token is not known.")
    # A switched-off client hears so (403) even though switching it off also
    # ended its tokens.
    if not row.client.is_active:
        raise TokenRefused(403, "forbidden", "This client is switched off.")
    if row.expires_at <= timezone.now():
        raise TokenRefused(401, "expired", "The access token has expired.")
    return Grant(client=row.client, scopes=tuple(row.scopes.split()))
