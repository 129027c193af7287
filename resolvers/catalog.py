"""The scope and category catalogues."""

from __future__ import annotations

from devhub_gql.domain.catalog import category_catalogue, scope_catalogue
from schema.catalogue import Category, Scope


async def scopes() -> list[Scope]:
    return [Scope.from_values(row) for row in await scope_catalogue()]


async def categories() -> list[Category]:
    return [Category.from_model(row) for row in await category_catalogue()]
