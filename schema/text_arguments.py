"""One guard for the text of every argument: control characters, bidirectional overrides and
invisible-only values are refused before any resolver runs (the rule is
`devhub_gql.domain.validation.is_safe_text`), the same way on SQLite and PostgreSQL.

A query answers `BAD_USER_INPUT`; a mutation answers its payload with a `userErrors` entry
naming the field, and changes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.types.base import has_object_definition
from strawberry.types.field import StrawberryField
from strawberry.utils.str_converters import to_camel_case

from devhub_gql.domain.errors import BadRequest, ErrorCode, UserError
from devhub_gql.domain.validation import UNSAFE_TEXT_MESSAGE, is_safe_text
from schema.errors import UserErrorType


def unsafe_arguments(kwargs: dict[str, Any]) -> list[str]:
    """The arguments (for an `input`, its fields) whose text is not safe, each named once."""
    names: list[str] = []
    for name, value in kwargs.items():
        if name == "input" and has_object_definition(value):
            found = [field for field, item in _fields(value) if not _safe(item)]
        else:
            found = [] if _safe(value) else [name]
        names += [found_name for found_name in found if found_name not in names]
    return names


def _fields(value: Any) -> Iterator[tuple[str, Any]]:
    for field in dataclasses.fields(value):
        yield field.name, getattr(value, field.name)


def _safe(value: Any) -> bool:
    if isinstance(value, str):
        return is_safe_text(value)
    if isinstance(value, list | tuple):
        return all(_safe(item) for item in value)
    if has_object_definition(value):
        return all(_safe(item) for _, item in _fields(value))
    return True


class RefuseUnsafeText(FieldExtension):
    def __init__(self, mutation: bool) -> None:
        self.mutation = mutation
        self.payload: type[Any] | None = None

    def apply(self, field: StrawberryField) -> None:
        if self.mutation:
            self.payload = field.type  # type: ignore[assignment]  # a payload class
            assert "user_errors" in {
                f.python_name
                for f in self.payload.__strawberry_definition__.fields  # type: ignore[union-attr]
            }, f"{field.python_name}: a mutation's payload carries userErrors"

    def _refusal(self, names: list[str]) -> Any:
        if not self.mutation:
            arguments = ", ".join(to_camel_case(name) for name in names)
            raise BadRequest(f"{UNSAFE_TEXT_MESSAGE} (argument: {arguments})")
        assert self.payload is not None
        errors = [
            UserError(name, ErrorCode.INVALID_CHARACTERS, UNSAFE_TEXT_MESSAGE) for name in names
        ]
        return self.payload(user_errors=[UserErrorType.from_domain(e) for e in errors])

    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        if names := unsafe_arguments(kwargs):
            return self._refusal(names)
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        if names := unsafe_arguments(kwargs):
            return self._refusal(names)
        return await next_(source, info, **kwargs)


def guard_text_arguments(query: type, mutation: type | None = None) -> None:
    """Put the guard on every root field that takes arguments; called once per root type."""
    for root, is_mutation in ((query, False), (mutation, True)):
        if root is None:
            continue
        for field in root.__strawberry_definition__.fields:  # type: ignore[attr-defined]
            if field.arguments:
                field.extensions.append(RefuseUnsafeText(mutation=is_mutation))
