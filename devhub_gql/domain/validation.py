"""Field checks shared by every command; each returns the problems it finds, never raises."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qs, urlsplit

from email_validator import EmailNotValidError, validate_email

from devhub_gql.domain.errors import ErrorCode, UserError

MAX_URL_LENGTH = 2048
MAX_REASON_LENGTH = 1000  # a deletion's, an unpublication's, a rejection reason's, a note
MAX_EMAIL_LOCAL_PART = 64  # RFC 5321 §4.5.3.1.1
MAX_EMAIL_LENGTH = 254
# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; the bidirectional
# embeddings, overrides and isolates that can make text read other than it is stored; lone
# surrogates. PostgreSQL refuses NUL outright; the rest would be stored and shown.
_UNSAFE_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"  # zero-width characters
UNSAFE_TEXT_MESSAGE = (
    "Control characters, bidirectional overrides and text of only invisible characters "
    "are not accepted."
)
YOUTUBE_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"})


def is_safe_text(value: str) -> bool:
    """Text the service stores and shows the same on every database and screen."""
    if _UNSAFE_CHARACTERS.search(value):
        return False
    visible = value.strip()
    return not visible or bool(visible.strip(_INVISIBLE).strip())


def clean_text(value: str | None) -> str | None:
    """Surrounding whitespace is dropped and an empty text means 'not set'."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def check_length(field: str, value: str | None, max_length: int) -> list[UserError]:
    if value is not None and len(value) > max_length:
        return [UserError(field, ErrorCode.TOO_LONG, f"Must be at most {max_length} characters.")]
    return []


def is_absolute_http_url(value: str, *, https_only: bool = False) -> bool:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    schemes = ("https",) if https_only else ("http", "https")
    return (
        parts.scheme in schemes
        and bool(parts.hostname)
        and not any(c.isspace() for c in value)
        and parts.username is None
        and len(value) <= MAX_URL_LENGTH
    )


def is_secure_url(value: str, *, allow_loopback_http: bool) -> bool:
    """https; or, in local development, plain http to this machine (as RFC 8252 allows for
    loopback redirects), so an app under development needs no certificate."""
    if is_absolute_http_url(value, https_only=True):
        return True
    if not (allow_loopback_http and is_absolute_http_url(value)):
        return False
    host = urlsplit(value).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(field: str, value: str | None) -> list[UserError]:
    if value is not None and not is_absolute_http_url(value):
        return [UserError(field, ErrorCode.INVALID_URL, "Must be an absolute http(s) URL.")]
    return []


def check_youtube_url(field: str, value: str | None) -> list[UserError]:
    if value is None:
        return []
    if is_absolute_http_url(value):
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        if host == "youtu.be" and len(parts.path.strip("/")) > 0:
            return []
        if host in YOUTUBE_HOSTS and (
            (parts.path == "/watch" and parse_qs(parts.query).get("v"))
            or parts.path.startswith(("/embed/", "/shorts/"))
        ):
            return []
    return [UserError(field, ErrorCode.INVALID_YOUTUBE_URL, "Must be a link to a YouTube video.")]


def normalize_email(value: str) -> str | None:
    """The address in canonical (lower-case) form, or None when it is not an email address:
    no quoted local parts or address literals, a local part of at most 64 characters."""
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    local_part = checked.local_part or ""
    if len(local_part) > MAX_EMAIL_LOCAL_PART or len(checked.normalized) > MAX_EMAIL_LENGTH:
        return None
    return checked.normalized.lower()


def check_email(field: str, value: str | None) -> list[UserError]:
    if value is not None and normalize_email(value) is None:
        return [UserError(field, ErrorCode.INVALID_EMAIL, "Must be an email address.")]
    return []
