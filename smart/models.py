"""Registered SMART Backend Services clients and the access tokens issued to them.

A client is another system (the clinic's EHR, a data warehouse) that signs a JWT
with one of its registered keys and trades it at the token endpoint for an access
token that lives five minutes. Tokens are stored hashed: the database never holds
one that works.
"""

import hashlib
import uuid

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.fields import staff_fk


def new_client_id() -> str:
    return str(uuid.uuid4())


def access_username(name: str) -> str:
    """The user name PHI access-log rows carry for a client called ``name``."""
    return f"fhir-client:{name}"[:150]


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

    def get_absolute_url(self) -> str:
        return reverse("smart:client-detail", kwargs={"pk": self.pk})

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


class UsedAssertion(models.Model):
    """A client assertion's ``jti``, kept until the assertion expires so that it is
    never accepted twice. The unique constraint decides between two requests that
    carry the same assertion at once: exactly one insert wins."""

    client = models.ForeignKey(
        BackendClient, on_delete=models.CASCADE, related_name="used_assertions"
    )
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "jti"], name="smart_assertion_jti_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} jti {self.jti}"
