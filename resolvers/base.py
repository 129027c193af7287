"""What every resolver needs: global-id decoding and turning refusals into `userErrors`."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from strawberry import relay

from devhub_gql.domain.errors import NotFound, UserErrors
from schema.errors import UserErrorType

T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    value: T | None = None
    user_errors: list[UserErrorType] = field(default_factory=list)


async def attempt(action: Awaitable[T]) -> Outcome[T]:
    """Run a domain command; its refusal becomes `userErrors` (it changed nothing)."""
    try:
        return Outcome(value=await action)
    except UserErrors as refusal:
        return Outcome(user_errors=[UserErrorType.from_domain(e) for e in refusal.errors])


def decode_id(global_id: str, type_name: str, *also: str) -> int:
    """The row id inside a global id of `type_name` (or of a type in `also` that shows the same
    rows); anything else is simply not found."""
    try:
        decoded = relay.GlobalID.from_id(global_id)
        if decoded.type_name == type_name or decoded.type_name in also:
            return int(decoded.node_id)
    except (ValueError, TypeError):
        pass
    raise NotFound(f"No {type_name} with this id.")
