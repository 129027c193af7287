"""GraphQL enums made from the domain's plain Python enums, each value with its description."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry

E = TypeVar("E", bound=type[Enum])


def described_enum(
    enum_cls: E, *, name: str | None = None, description: str, values: Mapping[Enum, str]
) -> E:
    """`strawberry.enum(enum_cls)` with a description for the type and for every value.

    Raises at import time when a member has no description (or a description names something
    that is not a member), so a value added to the domain cannot reach the schema unexplained.
    """
    missing = [member.name for member in enum_cls if not (values.get(member) or "").strip()]
    strangers = [repr(key) for key in values if not isinstance(key, enum_cls)]
    if missing or strangers or not description.strip():
        raise TypeError(
            f"{name or enum_cls.__name__}: every value needs a description"
            + (f"; missing: {', '.join(missing)}" if missing else "")
            + (f"; not members: {', '.join(strangers)}" if strangers else "")
            + ("; the enum itself has none" if not description.strip() else "")
        )
    wrapped = strawberry.enum(enum_cls, name=name, description=description)
    for value in wrapped.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = values[enum_cls(value.value)]
    return wrapped
