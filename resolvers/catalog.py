"""The scope and category catalogues."""

from __future__ import annotations

from devhub_gql.models import Category as CategoryRow
from devhub_gql.models import Scope as ScopeRow
from schema.types import Category, Scope


async def scopes() -> list[Scope]:
    rows = (
        await ScopeRow.all()
        .order_by("position")
        .values("name", "label", "description", "endpoints")
    )
    return [Scope.from_values(row) for row in rows]


async def categories() -> list[Category]:
    return [Category.from_model(row) for row in await CategoryRow.all().order_by("position")]
