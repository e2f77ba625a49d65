"""Ed25519 keys and their storage: the private half is encrypted at rest.

The encryption key is derived (HKDF-SHA256) from the deployment secret CREDENTIAL_KEY_SECRET,
which defaults to SECRET_KEY. Lose that secret and the stored private keys are useless (make a
new key with ``attunement credentials rotate-key``: old credentials still verify, because
verification needs only the public keys); change it and rotate for the same reason."""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

VERSION = b"\x01"


class KeyUnavailable(Exception):
    """A private key cannot be decrypted: the deployment secret changed or the row was altered."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _secret() -> bytes:
    secret = getattr(settings, "CREDENTIAL_KEY_SECRET", "") or settings.SECRET_KEY
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"attunement-credential-keys", info=b"signing-key-wrap/1"
    ).derive(secret.encode())


def new_key() -> tuple[bytes, dict[str, str]]:
    """A fresh Ed25519 key: the 32-byte private seed and the public JWK."""
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw()
    return private.private_bytes_raw(), {"kty": "OKP", "crv": "Ed25519", "x": b64url(public)}


def seal(seed: bytes, context: str) -> bytes:
    """Encrypt a private seed; ``context`` (association and key id) is bound as associated data,
    so a sealed key copied to another row does not open."""
    nonce = os.urandom(12)
    return VERSION + nonce + AESGCM(_secret()).encrypt(nonce, seed, context.encode())


def unseal(sealed: bytes | memoryview, context: str) -> bytes:
    sealed = bytes(sealed)
    if sealed[:1] != VERSION:
        raise KeyUnavailable("unknown sealed-key format")
    try:
        return AESGCM(_secret()).decrypt(sealed[1:13], sealed[13:], context.encode())
    except InvalidTag:
        raise KeyUnavailable("the signing key does not open with this deployment's CREDENTIAL_KEY_SECRET") from None


def private_jwk(seed: bytes, public_jwk: dict[str, str]) -> dict[str, str]:
    return {**public_jwk, "d": b64url(seed)}
