"""A client's registered public keys (a JSON Web Key Set) and the key an
assertion names.

Only RSA and EC public keys are accepted: a client signs RS384 or ES384. A JWK
holding a private part (``d``, or an RSA key's primes) is refused, so a private
key pasted by mistake is never stored.
"""

import json

import jwt
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The signing algorithms accepted (SMART Backend Services) and their key types.
ALGORITHMS = {"RS384": "RSA", "ES384": "EC"}
KEY_TYPES = tuple(ALGORITHMS.values())
# Private members of an RSA (d p q dp dq qi oth) or EC (d) JWK (RFC 7518 §6).
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth")

JWKS_NOT_JSON = _("The keys are not valid JSON: %(error)s")
JWKS_NOT_SET = _(
    'Paste a JSON Web Key Set: an object {"keys": [...]} with one key or more.'
)
JWK_NOT_OBJECT = _("Key %(number)d is not a JSON object.")
JWK_PRIVATE = _(
    "Key %(number)d is a private key (it holds “%(member)s”). Paste only the public "
    "part; the private key stays with the client."
)
JWK_TYPE = _("Key %(number)d is of type “%(kty)s”; only RSA and EC keys are accepted.")
JWK_CURVE = _("Key %(number)d is on curve “%(crv)s”; ES384 signs with P-384 keys only.")
JWK_KID = _("Key %(number)d has no “kid”: each key needs one, the assertions name it.")
JWK_KID_TWICE = _("Two keys share the kid “%(kid)s”.")
JWK_UNREADABLE = _("Key %(number)d cannot be read as a %(kty)s public key: %(error)s")


def jwks_clean(text: str) -> dict:
    """The JWK Set pasted as ``text``, checked key by key; raises ValidationError
    with a message a person can act on."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ValidationError(JWKS_NOT_JSON % {"error": error}) from None
    keys = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(keys, list) or not keys:
        raise ValidationError(JWKS_NOT_SET)
    kids = set()
    for number, key in enumerate(keys, start=1):
        _jwk_check(number, key)
        if key["kid"] in kids:
            raise ValidationError(JWK_KID_TWICE % {"kid": key["kid"]})
        kids.add(key["kid"])
    return {"keys": keys}


def _jwk_check(number: int, key) -> None:
    if not isinstance(key, dict):
        raise ValidationError(JWK_NOT_OBJECT % {"number": number})
    private = next((member for member in PRIVATE_MEMBERS if member in key), None)
    if private:
        raise ValidationError(JWK_PRIVATE % {"number": number, "member": private})
    kty = str(key.get("kty", ""))
    if kty not in KEY_TYPES:
        raise ValidationError(JWK_TYPE % {"number": number, "kty": kty[:20]})
    if kty == "EC" and key.get("crv") != "P-384":
        raise ValidationError(JWK_CURVE % {"number": number, "crv": key.get("crv")})
    if not isinstance(key.get("kid"), str) or not key["kid"].strip():
        raise ValidationError(JWK_KID % {"number": number})
    try:
        jwt.PyJWK(key)
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as error:
        raise ValidationError(
            JWK_UNREADABLE % {"number": number, "kty": kty, "error": error}
        ) from None


def jwks_key(jwks: dict, *, kid, algorithm: str):
    """The public key registered under ``kid`` for signing with ``algorithm`` (a
    PyJWK), or None: none has that kid, or it is not of the algorithm's key type,
    or it declares another ``alg``."""
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    for key in keys if isinstance(keys, list) else []:
        if not isinstance(key, dict) or key.get("kid") != kid:
            continue
        if key.get("kty") != ALGORITHMS.get(algorithm):
            return None
        if key.get("alg", algorithm) != algorithm:
            return None
        try:
            return jwt.PyJWK(key, algorithm=algorithm)
        except (jwt.PyJWTError, ValueError, TypeError, KeyError):
            return None
    return None
