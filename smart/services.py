"""Every write of the smart app: registering and switching clients, and trading
a client assertion for an access token."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.exceptions import ApplicationError
from smart.assertions import (
    ASSERTION_TYPE,
    TokenRequestRefused,
    assertion_verify,
    client_refused,
)
from smart.jwks import jwks_clean
from smart.models import AccessToken, BackendClient, UsedAssertion
from smart.scopes import scopes_clean, scopes_granted
from smart.tokens import TOKEN_LIFETIME, token_issue

REASON_REQUIRED = _("Give a reason; it is kept in the client's history.")
ALREADY_ON = _("%(name)s is already switched on.")
ALREADY_OFF = _("%(name)s is already switched off.")


def _client_fields(*, client: BackendClient, name: str, jwks: str, scopes: str):
    errors = {}
    for field, clean, text in (
        ("jwks", jwks_clean, jwks),
        ("allowed_scopes", scopes_clean, scopes),
    ):
        try:
            value = clean(text)
        except ValidationError as error:
            errors[field] = error.messages
            continue
        setattr(client, field, value if field == "jwks" else "\n".join(value))
    client.name = name.strip()
    try:
        client.full_clean(exclude=list(errors))
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


def client_register(
    *, name: str, jwks: str, allowed_scopes: str, actor
) -> BackendClient:
    """A client is registered with its public keys (a JWK Set of RSA or EC public
    keys, no private part) and the system scopes it may ask for."""
    client = BackendClient(created_by=actor)
    _client_fields(client=client, name=name, jwks=jwks, scopes=allowed_scopes)
    with transaction.atomic():
        client._change_reason = "registered"
        client.save()
    return client


def client_update(
    *, client: BackendClient, name: str, jwks: str, allowed_scopes: str, actor
) -> BackendClient:
    """New keys or scopes apply to the next token request; tokens already issued
    keep the scopes they were granted until they expire (five minutes)."""
    _client_fields(client=client, name=name, jwks=jwks, scopes=allowed_scopes)
    with transaction.atomic():
        client.save()
    return client


def client_switch(
    *, client: BackendClient, on: bool, reason: str, actor
) -> BackendClient:
    """A client switched off is refused at once: at the token endpoint, and on
    every API request (``grant_from_request`` asks on each one). Its unexpired
    tokens are ended too, so switching it on again revives none of them."""
    if not reason.strip():
        raise ValidationError({"reason": REASON_REQUIRED})
    if client.is_active == on:
        raise ApplicationError((ALREADY_ON if on else ALREADY_OFF) % {"name": client})
    now = timezone.now()
    with transaction.atomic():
        client.is_active = on
        client._change_reason = f"switched {'on' if on else 'off'}: {reason.strip()}"[
            :100
        ]
        client.save(update_fields=["is_active"])
        for token in client.tokens.filter(expires_at__gt=now):
            token.expires_at = now
            token._change_reason = "client switched off"
            token.save(update_fields=["expires_at"])
    return client


@dataclass(frozen=True)
class TokenGranted:
    access_token: str
    scopes: list[str]
    row: AccessToken

    def as_json(self) -> dict:
        return {
            "access_token": self.access_token,
            "token_type": "bearer",
            "expires_in": int(TOKEN_LIFETIME.total_seconds()),
            "scope": " ".join(self.scopes),
        }


def _required(params: dict, name: str) -> str:
    value = params.get(name, "")
    if not value.strip():
        raise TokenRequestRefused(
            "invalid_request", description=_("%(name)s is missing.") % {"name": name}
        )
    return value


def token_grant(*, params: dict[str, str], token_url: str) -> TokenGranted:
    """SMART Backend Services: a client that proves itself with a signed assertion
    (once: its jti is never accepted again) gets an access token for the scopes it
    asked, when its registration allows every one of them."""
    grant_type = _required(params, "grant_type")
    if grant_type != "client_credentials":
        raise TokenRequestRefused("unsupported_grant_type")
    if _required(params, "client_assertion_type") != ASSERTION_TYPE:
        raise TokenRequestRefused(
            "invalid_request",
            description=_("client_assertion_type must be %(type)s.")
            % {"type": ASSERTION_TYPE},
        )
    assertion = _required(params, "client_assertion")
    requested = _required(params, "scope").split()
    verified = assertion_verify(assertion=assertion, audience=token_url)
    client = verified.client
    with transaction.atomic():
        _assertion_use_record(
            client=client, jti=verified.jti, until=verified.expires_at
        )
        granted = scopes_granted(requested=requested, allowed=client.scope_list)
        if granted is None:
            raise TokenRequestRefused("invalid_scope")
        token, row = token_issue(client=client, scopes=granted)
    return TokenGranted(access_token=token, scopes=granted, row=row)


def _assertion_use_record(*, client: BackendClient, jti: str, until: datetime):
    """A jti is accepted once per client: the unique constraint settles two
    requests carrying it at the same moment."""
    try:
        with transaction.atomic():
            UsedAssertion.objects.create(client=client, jti=jti, expires_at=until)
    except IntegrityError:
        raise client_refused("jti already used", client.client_id) from None
