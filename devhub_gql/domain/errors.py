"""How the domain says no.

`UserErrors` carries client mistakes (validation, refused transitions) back as data; the access
errors become GraphQL errors with an `extensions.code` of the same name.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    TOO_SHORT = "TOO_SHORT"
    TOO_MANY = "TOO_MANY"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    INVALID_URL = "INVALID_URL"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_YOUTUBE_URL = "INVALID_YOUTUBE_URL"
    INVALID_CHARACTERS = "INVALID_CHARACTERS"
    UNKNOWN_SCOPE = "UNKNOWN_SCOPE"
    UNKNOWN_CATEGORY = "UNKNOWN_CATEGORY"
    BASE_SCOPE_REQUIRED = "BASE_SCOPE_REQUIRED"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    TOO_FEW = "TOO_FEW"
    HTTPS_REQUIRED = "HTTPS_REQUIRED"
    TERMS_NOT_ACCEPTED = "TERMS_NOT_ACCEPTED"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    WRONG_APP_TYPE = "WRONG_APP_TYPE"
    APP_IN_REVIEW = "APP_IN_REVIEW"
    REVISION_LOCKED = "REVISION_LOCKED"
    NO_PENDING_REVISION = "NO_PENDING_REVISION"
    NO_CHANGES = "NO_CHANGES"
    CALLBACK_UNREACHABLE = "CALLBACK_UNREACHABLE"
    REASON_REQUIRED = "REASON_REQUIRED"
    ALREADY_DECIDED = "ALREADY_DECIDED"
    OWN_COMPANY_APP = "OWN_COMPANY_APP"
    ALREADY_UNINSTALLED = "ALREADY_UNINSTALLED"
    ADMIN_REQUIRED = "ADMIN_REQUIRED"
    INVALID_AUTHORIZATION_REQUEST = "INVALID_AUTHORIZATION_REQUEST"
    NOT_ALLOWED_HERE = "NOT_ALLOWED_HERE"
    INVALID_SCHEMA = "INVALID_SCHEMA"
    TOO_MANY_EXTENSIONS = "TOO_MANY_EXTENSIONS"
    LOCATION_FULL = "LOCATION_FULL"
    NOT_AN_INSTALLER = "NOT_AN_INSTALLER"
    OWN_REVIEW = "OWN_REVIEW"
    ALREADY_DONE = "ALREADY_DONE"
    CLAIMED_BY_ANOTHER = "CLAIMED_BY_ANOTHER"


@dataclass(frozen=True)
class UserError:
    field: str | None
    code: ErrorCode
    message: str


class UserErrors(Exception):
    """The request was understood but refused; nothing was changed."""

    def __init__(self, errors: list[UserError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors

    @classmethod
    def single(cls, field: str | None, code: ErrorCode, message: str) -> UserErrors:
        return cls([UserError(field, code, message)])


class AccessError(Exception):
    code = "FORBIDDEN"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)

    default_message = "You are not allowed to do this."


class Unauthenticated(AccessError):
    code = "UNAUTHENTICATED"
    default_message = "Sign in first: send 'Authorization: Bearer <session token>'."


class Forbidden(AccessError):
    code = "FORBIDDEN"
    default_message = "You are not allowed to do this."


class NotFound(AccessError):
    code = "NOT_FOUND"
    default_message = "No such object."


class RateLimited(AccessError):
    """A budget is used up; `retry_after` seconds until it refills."""

    code = "RATE_LIMITED"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many attempts; retry in {retry_after} s.")
        self.retry_after = retry_after


class Unavailable(AccessError):
    """What a budget needs (its shared counter store) is unreachable, and it fails closed."""

    code = "SERVICE_UNAVAILABLE"
    default_message = "Paused for a few seconds: retry shortly."
    retry_after = 5


class BadRequest(AccessError):
    """An argument outside what the API accepts (page size, cursor); not a validation error."""

    code = "BAD_USER_INPUT"
    default_message = "Invalid argument."
