"""The public marketplace: no sign-in needed."""

from __future__ import annotations

import strawberry

from devhub_gql.domain import marketplace
from devhub_gql.domain.errors import BadRequest
from resolvers.base import decode_id
from schema.context import Info
from schema.pagination import Connection, paginate
from schema.types import MarketplaceApp, MarketplaceSort


async def marketplace_apps(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    search: str | None = None,
    category: str | None = None,
    sort: MarketplaceSort = MarketplaceSort.NEWEST,  # type: ignore[valid-type]
) -> Connection[MarketplaceApp]:
    public_url = info.context.settings.public_url
    return await paginate(
        marketplace.listed_apps(search=search, category=category, sort=sort),
        first=first,
        after=after,
        to_node=lambda row: MarketplaceApp.from_model(row, public_url),
    )


async def marketplace_app(
    info: Info, id: strawberry.ID | None = None, slug: str | None = None
) -> MarketplaceApp:
    if (id is None) == (slug is None):
        raise BadRequest("Give either 'id' or 'slug'.")
    app_id = decode_id(id, "MarketplaceApp") if id is not None else None
    row = await marketplace.get_listing(app_id=app_id, slug=slug)
    return MarketplaceApp.from_model(row, info.context.settings.public_url)
