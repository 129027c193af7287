"""Errors as the API shows them: typed `userErrors` in payloads, coded GraphQL errors otherwise."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionContext
from strawberry.utils.str_converters import to_camel_case

from devhub_gql.domain.errors import AccessError, ErrorCode, UserError

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
    return original is not None and not isinstance(original, (GraphQLError, AccessError))


def _request_id(execution_context: ExecutionContext | None) -> str | None:
    context = execution_context.context if execution_context else None
    return getattr(context, "request_id", None)


def log_unexpected_errors(
    errors: list[GraphQLError], execution_context: ExecutionContext | None
) -> None:
    """Only unexpected exceptions are logged as errors, with the request id the client sees."""
    for error in errors:
        if is_unexpected(error):
            log.error(
                "unexpected error in %s (request %s)",
                ".".join(str(p) for p in error.path or []) or "operation",
                _request_id(execution_context),
                exc_info=error.original_error,
            )


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


class ErrorCodes(SchemaExtension):
    """Give every error an `extensions.code`; mask unexpected exceptions behind a request id."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [self._shape(error) for error in result.errors]

    def _shape(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, AccessError):
            return _with_code(error, original.code, str(original))
        if is_unexpected(error):
            request_id = _request_id(self.execution_context) or "unknown"
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
