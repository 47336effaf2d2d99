"""Real keys and signed client assertions for the token endpoint's tests."""

import json
import uuid
from dataclasses import dataclass, field

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from smart.models import BackendClient
from smart.services import client_register

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def token_url() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("smart:token")


@dataclass
class Key:
    """A private key, its kid and the algorithm it signs with."""

    private: object
    kid: str
    algorithm: str

    @classmethod
    def rsa(cls, kid: str = "rsa-1") -> "Key":
        return cls(rsa.generate_private_key(65537, 2048), kid, "RS384")

    @classmethod
    def ec(cls, kid: str = "ec-1") -> "Key":
        return cls(ec.generate_private_key(ec.SECP384R1()), kid, "ES384")

    def public_jwk(self) -> dict:
        algorithm = jwt.get_algorithm_by_name(self.algorithm)
        jwk = json.loads(algorithm.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid}

    def private_jwk(self) -> dict:
        algorithm = jwt.get_algorithm_by_name(self.algorithm)
        return {**json.loads(algorithm.to_jwk(self.private)), "kid": self.kid}


def jwks_text(*keys: Key) -> str:
    return json.dumps({"keys": [key.public_jwk() for key in keys]})


def register(*keys: Key, name="Hospital EHR", scopes="system/*.rs") -> BackendClient:
    return client_register(
        name=name, jwks=jwks_text(*keys), allowed_scopes=scopes, actor=None
    )


@dataclass
class Assertion:
    """The claims and header of a client assertion; ``signed()`` is the JWT."""

    client: BackendClient
    key: Key
    claims: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    algorithm: str = ""

    def signed(self, signing_key=None) -> str:
        now = int(timezone.now().timestamp())
        claims = {
            "iss": self.client.client_id,
            "sub": self.client.client_id,
            "aud": token_url(),
            "exp": now + 240,
            "jti": str(uuid.uuid4()),
            **self.claims,
        }
        claims = {name: value for name, value in claims.items() if value is not None}
        return jwt.encode(
            claims,
            signing_key if signing_key is not None else self.key.private,
            algorithm=self.algorithm or self.key.algorithm,
            headers={"kid": self.key.kid, **self.headers},
        )


def token_form(assertion: str, scope: str = "system/Patient.rs", **extra) -> dict:
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
        "scope": scope,
        **extra,
    }
