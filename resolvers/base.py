"""What every resolver needs: global-id decoding and turning refusals into `userErrors`."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from devhub_gql.domain.errors import UserErrors
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


# Row ids are 32-bit integers on PostgreSQL; a larger one names no row on either database.
MAX_ROW_ID = 2**31 - 1
_DECIMAL = re.compile(r"0|[1-9][0-9]*", re.ASCII)


def parse_global_id(global_id: str) -> tuple[str, int] | None:
    """(type name, row id) of a global id in its one canonical form, the padded base64 of
    `Type:<decimal>` (no sign, no leading zero, no space); None for anything else."""
    if len(global_id) > 200:
        return None
    try:
        raw = base64.b64decode(global_id, validate=True)
        text = raw.decode("ascii")
    except (binascii.Error, ValueError):
        return None
    if base64.b64encode(raw).decode("ascii") != global_id:
        return None
    type_name, colon, digits = text.partition(":")
    if not colon or not _DECIMAL.fullmatch(digits) or int(digits) > MAX_ROW_ID:
        return None
    return type_name, int(digits)


# Row ids start at 1 on both databases: this one names no row.
NO_ROW = 0


def decode_id(global_id: str, type_name: str) -> int:
    """The row id inside a global id of `type_name`. Any other id, however malformed, becomes
    NO_ROW, so the domain answers it exactly as it answers a well-formed id of no row."""
    parsed = parse_global_id(global_id)
    if parsed is None or parsed[0] != type_name:
        return NO_ROW
    return parsed[1]
