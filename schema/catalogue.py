"""The catalogues apps choose from: access scopes and marketplace categories."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry

from devhub_gql.domain.catalog import CATEGORIES, SCOPES, in_catalogue_order
from schema.scopes import PUBLIC


@strawberry.type(
    description="A permission an app asks for, from the fixed catalogue.", directives=PUBLIC
)
class Scope:
    name: str = strawberry.field(
        description="The name apps ask for, e.g. `deals:read`; `X:full` includes `X:read`."
    )
    label: str = strawberry.field(
        description="A short title for consent screens, e.g. 'Deals: Read only'."
    )
    description: str = strawberry.field(description="What the scope lets an app do.")
    endpoints: list[str] = strawberry.field(description="The API endpoint families it covers.")

    @staticmethod
    def listed(names: Iterable[str]) -> list[Scope]:
        """These scopes, in catalogue order."""
        return [SCOPE_TYPES[name] for name in in_catalogue_order(names)]


@strawberry.type(description="A marketplace category.", directives=PUBLIC)
class Category:
    slug: str = strawberry.field(
        description="The stable key updateApp and marketplaceApps take, e.g. `productivity`."
    )
    label: str = strawberry.field(description="The name to show, e.g. 'Productivity'.")

    @staticmethod
    def of(slug: str | None) -> Category | None:
        return CATEGORY_TYPES.get(slug) if slug else None


# The catalogues are code (devhub_gql/domain/catalog.py), so their GraphQL objects are made once.
SCOPE_TYPES = {
    entry.name: Scope(
        name=entry.name,
        label=entry.label,
        description=entry.description,
        endpoints=list(entry.endpoints),
    )
    for entry in SCOPES
}
CATEGORY_TYPES = {slug: Category(slug=slug, label=label) for slug, label in CATEGORIES}
