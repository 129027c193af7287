"""Errors as the API shows them: typed `userErrors` in payloads, coded GraphQL errors otherwise."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.types.execution import ExecutionContext
from strawberry.utils.str_converters import to_camel_case
from tortoise.exceptions import ValidationError as ValueTooLong

from devhub_gql.domain.errors import AccessError, ErrorCode, UserError
from devhub_gql.observability import current_record

UserErrorCode = strawberry.enum(
    ErrorCode, name="UserErrorCode", description="Why a mutation refused its input."
)

log = logging.getLogger("devhub_gql.graphql")


@strawberry.type(name="UserError", description="A problem with the input of a mutation.")
class UserErrorType:
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    code: UserErrorCode  # type: ignore[valid-type]
    message: str

    @classmethod
    def from_domain(cls, error: UserError) -> UserErrorType:
        field = to_camel_case(error.field) if error.field else None
        return cls(field=field, code=error.code, message=error.message)


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
