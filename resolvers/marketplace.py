"""The public marketplace: no sign-in needed."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from devhub_gql.domain import marketplace
from devhub_gql.domain.errors import BadRequest
from devhub_gql.domain.marketplace import LISTING_COLUMNS, install_url
from resolvers.base import decode_id
from schema.catalogue import Category, Scope
from schema.context import Info
from schema.listing import PUBLIC_PLAIN, plain_values
from schema.marketplace import MarketplaceApp, MarketplaceSort
from schema.pagination import After, Connection, First, paginate


async def listings(info: Info, rows: list[dict[str, Any]]) -> list[MarketplaceApp]:
    """A page of listings with their slugs, developers, categories and scopes: one query each."""
    loaders = info.context.loaders
    ids = [row["id"] for row in rows]
    slugs = await loaders.slug.load_many(ids)
    companies = await loaders.company.load_many([row["company_id"] for row in rows])
    categories = await loaders.category.load_many(
        sorted({row["category_id"] for row in rows if row["category_id"]})
    )
    category_by_slug = {c.slug: Category.from_model(c) for c in categories if c is not None}
    scopes = await loaders.app_scopes.load_many(ids)
    public_url = info.context.settings.public_url
    return [
        MarketplaceApp(
            listing_id=row["id"],
            slug=slug or "",
            developer_name=company.name if company else "",
            category=category_by_slug.get(row["category_id"]),
            scopes=[Scope.from_values(values) for values in app_scopes],
            installation_count=row["installation_count"],
            published_at=row["published_at"],
            install_url=install_url(row, public_url),
            **plain_values(row, PUBLIC_PLAIN),
        )
        for row, slug, company, app_scopes in zip(rows, slugs, companies, scopes, strict=True)
    ]


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
) -> Connection[MarketplaceApp]:
    return await paginate(
        marketplace.listed_apps(search=search, category=category, sort=sort),
        first=first,
        after=after,
        fields=LISTING_COLUMNS,
        to_nodes=lambda rows: listings(info, rows),
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
    row = await marketplace.get_listing(app_id=app_id, slug=slug)
    return (await listings(info, [row]))[0]
