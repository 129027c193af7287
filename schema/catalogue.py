"""The catalogues apps choose from: access scopes and marketplace categories."""

from __future__ import annotations

from typing import Any

import strawberry

from devhub_gql import models as m
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

    @classmethod
    def from_values(cls, row: dict[str, Any]) -> Scope:
        return cls(
            name=row["name"],
            label=row["label"],
            description=row["description"],
            endpoints=list(row["endpoints"]),
        )


@strawberry.type(description="A marketplace category.", directives=PUBLIC)
class Category:
    slug: str = strawberry.field(
        description="The stable key updateApp and marketplaceApps take, e.g. `productivity`."
    )
    label: str = strawberry.field(description="The name to show, e.g. 'Productivity'.")

    @classmethod
    def from_model(cls, row: m.Category) -> Category:
        return cls(slug=row.slug, label=row.label)
