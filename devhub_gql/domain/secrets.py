"""Secrets: random bearer values stored as SHA-256 digests, passwords as argon2 hashes.

Random secrets (session and access tokens, client secrets, codes) have 256 bits of entropy, so a
fast digest is enough and keeps every lookup a single indexed query; a password hash there would
cost each token request tens of milliseconds of CPU. Passwords are chosen by people and get argon2,
computed in a worker thread so the event loop keeps serving. Secrets a developer gives the
service to use on their behalf (an extension's JWT secret, a panel's HTTP Basic password) cannot be
digests: they are encrypted (Fernet) under a key derived from DEVHUB_SECRET_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from devhub_gql.domain.errors import AccessError

_hasher = PasswordHasher()
# Checked when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def new_secret(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def digest_matches(secret: str, expected_digest: str | None) -> bool:
    return expected_digest is not None and hmac.compare_digest(digest(secret), expected_digest)


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password)


async def verify_password(password: str, password_hash: str | None) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(verify)


def _cipher(secret_key: str) -> Fernet:
    # A key of its own, derived from the service's secret key: rotating DEVHUB_SECRET_KEY makes
    # the stored developer secrets unreadable, so they must be set again (README, Configuration).
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"devhub developer-set secrets"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(secret_key: str, value: str) -> str:
    """A secret the service must itself use again (to sign, to authenticate), encrypted."""
    return _cipher(secret_key).encrypt(value.encode()).decode()


class SecretUnreadable(AccessError):
    code = "SECRET_UNREADABLE"
    default_message = (
        "A secret the developer set was stored under another DEVHUB_SECRET_KEY; the app's "
        "developers must set it again."
    )


def decrypt(secret_key: str, token: str) -> str:
    try:
        return _cipher(secret_key).decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable() from None
