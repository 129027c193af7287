"""One-click unsubscribe links (RFC 8058): signed, so nobody can unsubscribe someone else, and
usable without signing in."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode

PATH = "/notifications/unsubscribe"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _signature(secret_key: str, body: str) -> str:
    mac = hmac.new(secret_key.encode(), f"unsubscribe:{body}".encode(), hashlib.sha256)
    return _b64(mac.digest())


def token(secret_key: str, email: str, kind: str) -> str:
    body = _b64(f"{email}\n{kind}".encode())
    return f"{body}.{_signature(secret_key, body)}"


def unsubscribe_url(public_url: str, secret_key: str, email: str, kind: str) -> str:
    return f"{public_url}{PATH}?{urlencode({'token': token(secret_key, email, kind)})}"


def read(secret_key: str, value: str) -> tuple[str, str] | None:
    """(email, kind) of a token this service signed; None for anything else."""
    body, _, signature = value.partition(".")
    if not hmac.compare_digest(signature.encode(), _signature(secret_key, body).encode()):
        return None
    try:
        email, _, kind = (
            base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode().partition("\n")
        )
    except (ValueError, UnicodeDecodeError):
        return None
    return (email, kind) if email and kind else None
