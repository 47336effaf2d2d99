"""Registered SMART Backend Services clients and the access tokens issued to them.

A client is another system (the clinic's EHR, a data warehouse) that signs a JWT
with one of its registered keys and trades it at the token endpoint for an access
token that lives five minutes. Tokens are stored hashed: the database never holds
one that works.
"""

import hashlib
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.fields import staff_fk


def new_client_id() -> str:
    return str(uuid.uuid4())


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class BackendClient(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    client_id = models.CharField(
        _("client id"),
        max_length=64,
        unique=True,
        default=new_client_id,
        editable=False,
    )
    jwks = models.JSONField(
        _("public keys (JWKS)"),
        default=dict,
        help_text=_('The client\'s public keys, a JSON Web Key Set: {"keys": [...]}'),
    )
    allowed_scopes = models.TextField(
        _("allowed scopes"),
        help_text=_("SMART v2 system scopes, one per line, e.g. system/Patient.rs"),
    )
    is_active = models.BooleanField(_("switched on"), default=True)
    created_by = staff_fk(_("registered by"))
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_list(self) -> list[str]:
        return self.allowed_scopes.split()


class AccessToken(models.Model):
    """One access token; only its SHA-256 is kept."""

    client = models.ForeignKey(
        BackendClient, on_delete=models.CASCADE, related_name="tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.TextField()
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"token for {self.client} until {self.expires_at:%H:%M:%S}"
