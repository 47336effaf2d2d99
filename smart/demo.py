"""The smart app's part of ``seed_demo``: one API client, "Demo EHR", whose
private key is written to ``var/demo_ehr_key.pem`` (mode 0600) so that the
README's token example runs against the demo clinic. Demo only: a real client
keeps its private key to itself and registers only the public part."""

import json
import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from jwt.algorithms import ECAlgorithm

from smart.models import BackendClient
from smart.services import client_register

DEMO_CLIENT = "Demo EHR"
DEMO_KID = "demo-ehr-1"


def demo_key_path():
    return settings.VAR_DIR / "demo_ehr_key.pem"


def seed_api_clients(*, faker, rng, options, stdout) -> None:
    existing = BackendClient.objects.filter(name=DEMO_CLIENT).first()
    if existing is not None:
        stdout.write(f"  smart: API client {DEMO_CLIENT} ({existing.client_id})")
        return
    key = ec.generate_private_key(ec.SECP384R1())
    public = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    client = client_register(
        name=DEMO_CLIENT,
        jwks=json.dumps({"keys": [{**public, "kid": DEMO_KID, "alg": "ES384"}]}),
        allowed_scopes="system/*.rs\nsystem/Appointment.c",
        actor=None,
    )
    path = demo_key_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    stdout.write(
        f"  smart: API client {DEMO_CLIENT} ({client.client_id}), key id {DEMO_KID}, "
        f"private key in {path}"
    )
