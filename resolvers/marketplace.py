"""The public marketplace: no sign-in needed."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated

import strawberry

from devhub_gql.domain import marketplace
from devhub_gql.domain.errors import BadRequest
from devhub_gql.domain.marketplace import Listing
from resolvers.base import decode_id
from schema.context import Info
from schema.extensions import ExtensionKind
from schema.marketplace import MarketplaceApp, MarketplaceCollection, MarketplaceSort
from schema.pagination import After, Connection, First, paginate


async def marketplace_apps(
    info: Info,
    first: First = None,
    after: After = None,
    search: Annotated[
        str | None,
        strawberry.argument(
            description="Text to find in the name, summary or description, in any letter case; "
            "only its first 100 characters count."
        ),
    ] = None,
    category: Annotated[
        str | None, strawberry.argument(description="Only apps in this category (a slug).")
    ] = None,
    sort: Annotated[
        MarketplaceSort,  # type: ignore[valid-type]
        strawberry.argument(description="The order; NEWEST when omitted."),
    ] = MarketplaceSort.NEWEST,
    with_features: Annotated[
        list[ExtensionKind] | None,  # type: ignore[valid-type]
        strawberry.argument(
            description="Only apps with a live extension of one of these kinds, e.g. "
            "[FLOATING_WINDOW] for apps with interactive features."
        ),
    ] = None,
    min_rating: Annotated[
        float | None,
        strawberry.argument(description="Only apps rated at least this on average (1 to 5)."),
    ] = None,
) -> Connection[MarketplaceApp]:
    kinds = [str(kind) for kind in dict.fromkeys(with_features or [])]
    now = info.context.clock.now()

    def read(offset: int, limit: int) -> Awaitable[list[Listing]]:
        return marketplace.listed_apps(
            search=search,
            category=category,
            sort=sort,
            offset=offset,
            limit=limit,
            feature_kinds=kinds,
            min_rating=min_rating,
            now=now,
        )

    public_url = info.context.settings.public_url
    return await paginate(
        read, first=first, after=after, to_node=lambda found: MarketplaceApp.of(found, public_url)
    )


async def marketplace_app(
    info: Info,
    id: Annotated[
        strawberry.ID | None,
        strawberry.argument(description="The listing's id; give it or slug, not both."),
    ] = None,
    slug: Annotated[
        str | None,
        strawberry.argument(
            description="Any slug the app's name has given it; give it or id, not both."
        ),
    ] = None,
) -> MarketplaceApp:
    if (id is None) == (slug is None):
        raise BadRequest("Give either 'id' or 'slug'.")
    app_id = decode_id(id, "MarketplaceApp") if id is not None else None
    found = await marketplace.get_listing(app_id=app_id, slug=slug)
    return MarketplaceApp.of(found, info.context.settings.public_url)


async def marketplace_collections(
    info: Info,
    first: Annotated[
        int,
        strawberry.argument(
            description=f"How many apps each collection shows, 1 to {marketplace.MAX_SHOWN}."
        ),
    ] = 6,
) -> list[MarketplaceCollection]:
    found = await marketplace.collections(first=first, now=info.context.clock.now())
    public_url = info.context.settings.public_url
    return [MarketplaceCollection.of(collection, public_url) for collection in found]
