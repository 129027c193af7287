"""Field checks shared by every command; each returns the problems it finds, never raises."""

from __future__ import annotations

import ipaddress
from urllib.parse import parse_qs, urlsplit

from email_validator import EmailNotValidError, validate_email

from devhub_gql.domain.errors import ErrorCode, UserError

MAX_URL_LENGTH = 2048
YOUTUBE_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"})


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
    """The address in canonical (lower-case) form, or None when it is not an email address."""
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    return checked.normalized.lower()


def check_email(field: str, value: str | None) -> list[UserError]:
    if value is not None and normalize_email(value) is None:
        return [UserError(field, ErrorCode.INVALID_EMAIL, "Must be an email address.")]
    return []
