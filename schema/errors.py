"""Errors as the API shows them: typed `userErrors` in payloads, coded GraphQL errors otherwise."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types.execution import ExecutionContext
from strawberry.utils.str_converters import to_camel_case
from tortoise.exceptions import ValidationError as ValueTooLong

from devhub_gql.domain.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from devhub_gql.domain.apps import MAX_SECRET_GRACE
from devhub_gql.domain.errors import AccessError, ErrorCode, UserError
from devhub_gql.domain.listing import FIELDS
from devhub_gql.domain.validation import MAX_URL_LENGTH
from devhub_gql.observability import current_record
from schema.enums import described_enum

_MAX_GRACE_HOURS = int(MAX_SECRET_GRACE.total_seconds() // 3600)

UserErrorCode = described_enum(
    ErrorCode,
    name="UserErrorCode",
    description="Why a mutation refused its input.",
    values={
        ErrorCode.REQUIRED: "A required value is missing or blank; submitAppForReview names each "
        "listing field review needs.",
        ErrorCode.TOO_LONG: "A text is longer than its limit, which the message gives.",
        ErrorCode.TOO_SHORT: "Reserved for a text shorter than a minimum; no field has one today "
        "(a short password is WEAK_PASSWORD).",
        ErrorCode.TOO_MANY: f"More than {FIELDS['listing_image_urls'].max_items} listing images.",
        ErrorCode.OUT_OF_RANGE: "A number outside its range: gracePeriodHours must be 0 to "
        f"{_MAX_GRACE_HOURS}; an extension's height or width outside its kind's sizes.",
        ErrorCode.INVALID_URL: "Not an absolute http(s) URL of at most "
        f"{MAX_URL_LENGTH:,} characters, without spaces or user name.",
        ErrorCode.INVALID_EMAIL: "Not an email address.",
        ErrorCode.INVALID_YOUTUBE_URL: "videoUrl is not a link to a YouTube video.",
        ErrorCode.INVALID_CHARACTERS: "A text holds control characters or bidirectional "
        "overrides, or only invisible characters.",
        ErrorCode.UNKNOWN_SCOPE: "A scope name that the `scopes` catalogue does not have.",
        ErrorCode.UNKNOWN_CATEGORY: "A category slug that `categories` does not have.",
        ErrorCode.BASE_SCOPE_REQUIRED: "The scopes leave out `base`, which every app keeps.",
        ErrorCode.EMAIL_TAKEN: "An account with this email address exists.",
        ErrorCode.WEAK_PASSWORD: f"A password of fewer than {MIN_PASSWORD_LENGTH} characters, "
        f"or only spaces (more than {MAX_PASSWORD_LENGTH} is TOO_LONG).",
        ErrorCode.INVALID_CREDENTIALS: "signIn: wrong email or password; it does not say which.",
        ErrorCode.TOO_FEW: "submitAppForReview: no listing image, or no scope besides `base`.",
        ErrorCode.HTTPS_REQUIRED: "submitAppForReview: the callback URL does not use https; an "
        "extension's URL that is not https.",
        ErrorCode.TERMS_NOT_ACCEPTED: "submitAppForReview: the partner terms are not accepted.",
        ErrorCode.INVALID_TRANSITION: "The app's (or revision's) status does not allow this, e.g. "
        "publishing an app that is not APPROVED, deleting a PUBLISHED one, or it changed "
        "meanwhile.",
        ErrorCode.WRONG_APP_TYPE: "The action is for the other app type: e.g. submitting a "
        "private app, or changing a public app to live.",
        ErrorCode.APP_IN_REVIEW: "updateApp on an app in review: withdraw it from review first.",
        ErrorCode.REVISION_LOCKED: "The pending revision is in review or approved and takes no "
        "edits: withdraw it, or merge or discard it, first.",
        ErrorCode.NO_PENDING_REVISION: "No pending revision to submit, merge or discard (an "
        "approved app can only submit a revision).",
        ErrorCode.NO_CHANGES: "The pending revision changes nothing in the live app; discard it.",
        ErrorCode.CALLBACK_UNREACHABLE: "changeAppToLive: the callback URL did not answer.",
        ErrorCode.REASON_REQUIRED: "A reason is needed: deleting an app, unpublishing it in the "
        "back-office, rejecting a submission (at least one), or hiding a review.",
        ErrorCode.ALREADY_DECIDED: "The submission is no longer waiting: it was decided or "
        "withdrawn meanwhile; a review was hidden, or its reports dismissed, already; a first "
        "rating of the same app by the same user landed meanwhile.",
        ErrorCode.OWN_COMPANY_APP: "Reviewers cannot decide on (or moderate the reviews of) their "
        "own company's apps; an app's own developers cannot rate it.",
        ErrorCode.ALREADY_UNINSTALLED: "uninstallApp: the installation is already uninstalled.",
        ErrorCode.ADMIN_REQUIRED: "approveAuthorization: the app asks for the `admin` scope and "
        "the user is no company admin.",
        ErrorCode.INVALID_AUTHORIZATION_REQUEST: "Unknown client, a redirect URI other than the "
        "callback URL, an app the user may not install, or a PKCE method other than S256.",
        ErrorCode.NOT_ALLOWED_HERE: "A field this kind of extension does not take, a location "
        "it cannot be placed at, or a context it is not placed in.",
        ErrorCode.INVALID_SCHEMA: "An extension's jsonSchema breaks the rules of its kind; the "
        "message starts with the JSON path of the problem.",
        ErrorCode.TOO_MANY_EXTENSIONS: "More than 21 menu extensions, or a second floating "
        "window or settings page.",
        ErrorCode.LOCATION_FULL: "More than 3 menu extensions in one location, or a second "
        "panel in one detail view.",
        ErrorCode.NOT_AN_INSTALLER: "rateApp: the user has not installed the app, or uninstalled "
        "it more than 90 days ago.",
        ErrorCode.OWN_REVIEW: "Authors cannot vote on or report their own review.",
        ErrorCode.ALREADY_DONE: "The user marked this review helpful, or reported it, already.",
        ErrorCode.CLAIMED_BY_ANOTHER: "Another reviewer's claim on the submission is still "
        "running: decide with override (recorded in the audit log), or wait until it lapses.",
    },
)

log = logging.getLogger("devhub_gql.graphql")


@strawberry.type(name="UserError", description="A problem with the input of a mutation.")
class UserErrorType:
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    code: UserErrorCode = strawberry.field(  # type: ignore[valid-type]
        description="The kind of problem, for programs to act on."
    )
    message: str = strawberry.field(description="The problem in English, to show a person.")

    @classmethod
    def from_domain(cls, error: UserError) -> UserErrorType:
        field = to_camel_case(error.field) if error.field else None
        return cls(field=field, code=error.code, message=error.message)


def user_errors_field() -> Any:
    """The `userErrors` of every payload, in both schemas."""
    return strawberry.field(
        default_factory=list,
        description="Why the mutation was refused, one entry per problem; empty when it "
        "succeeded. A refused mutation changes nothing.",
    )


def is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(
        original, (GraphQLError, AccessError, ValueTooLong)
    )


def _request_id(execution_context: ExecutionContext | None) -> str | None:
    context = execution_context.context if execution_context else None
    return getattr(context, "request_id", None)


def shape_errors(errors: list[GraphQLError], execution_context: ExecutionContext | None) -> None:
    """Give every error an `extensions.code`; log and mask unexpected exceptions.

    Called by the schema's `process_errors` on every path (parse, validation, execution) with the
    very list the response carries, so the errors are replaced in place. (An extension cannot do
    this: with ParserCache, a syntax error skips the other extensions' operation hooks.)
    """
    request_id = _request_id(execution_context) or "unknown"
    for index, error in enumerate(errors):
        if is_unexpected(error):
            log.error(
                "unexpected error in %s (request %s)",
                ".".join(str(p) for p in error.path or []) or "operation",
                request_id,
                exc_info=error.original_error,
            )
        errors[index] = _shape(error, request_id)
    record = current_record()
    if record is not None:
        record.error_codes.extend(str((error.extensions or {}).get("code")) for error in errors)


def _shape(error: GraphQLError, request_id: str) -> GraphQLError:
    original = error.original_error
    if isinstance(original, AccessError):
        return _with_code(error, original.code, str(original))
    if isinstance(original, ValueTooLong):
        # An argument longer than the column it is looked up in: the client's mistake. The
        # message would echo the value, so it is replaced.
        return _with_code(error, "BAD_USER_INPUT", "An argument is longer than allowed.")
    if is_unexpected(error):
        return _with_code(
            error,
            "INTERNAL_SERVER_ERROR",
            f"Unexpected error; quote request id {request_id} when reporting it.",
            requestId=request_id,
        )
    if error.extensions and "code" in error.extensions:
        return error
    if error.message.startswith("Syntax Error"):
        return _with_code(error, "GRAPHQL_PARSE_FAILED")
    return _with_code(error, "GRAPHQL_VALIDATION_FAILED")


def _with_code(
    error: GraphQLError, code: str, message: str | None = None, **extra: str
) -> GraphQLError:
    return GraphQLError(
        message=error.message if message is None else message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={**(error.extensions or {}), "code": code, **extra},
    )
