"""The public marketplace: no sign-in needed."""

from __future__ import annotations

from typing import Annotated

import strawberry

from devhub_gql.domain import marketplace
from devhub_gql.domain.errors import BadRequest
from devhub_gql.domain.marketplace import LISTING_FIELDS, install_url
from resolvers.base import decode_id
from schema.context import Info
from schema.pagination import After, Connection, First, paginate
from schema.types import Category, MarketplaceApp, MarketplaceSort


async def listings(info: Info, rows: list[dict]) -> list[MarketplaceApp]:
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
            name=row["name"],
            icon_url=row["icon_url"],
            summary=row["summary"],
            description=row["description"],
            listing_image_urls=list(row["listing_image_urls"] or []),
            video_url=row["video_url"],
            setup_instructions=row["setup_instructions"],
            website_url=row["website_url"],
            terms_of_service_url=row["terms_of_service_url"],
            privacy_policy_url=row["privacy_policy_url"],
            pricing_url=row["pricing_url"],
            support_url=row["support_url"],
            documentation_url=row["documentation_url"],
            support_email=row["support_email"],
            developer_name=company.name,
            category=category_by_slug.get(row["category_id"]),
            scopes=app_scopes,
            installation_count=row["installation_count"],
            published_at=row["published_at"],
            install_url=install_url(row, public_url),
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
        fields=LISTING_FIELDS,
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
