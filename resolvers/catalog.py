"""The scope and category catalogues."""

from __future__ import annotations

from schema.catalogue import CATEGORY_TYPES, SCOPE_TYPES, Category, Scope


async def scopes() -> list[Scope]:
    return list(SCOPE_TYPES.values())


async def categories() -> list[Category]:
    return list(CATEGORY_TYPES.values())
