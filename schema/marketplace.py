"""The marketplace: listings as customers see them."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from devhub_gql.domain import extensions
from devhub_gql.domain.listing import CATEGORY
from devhub_gql.domain.marketplace import Listing
from devhub_gql.domain.marketplace import MarketplaceSort as MarketplaceSortEnum
from schema.catalogue import Category, Scope
from schema.context import Info
from schema.enums import described_enum
from schema.extensions import AppFeature
from schema.listing import PUBLIC_PLAIN, PublicListing, shown_values
from schema.scopes import PUBLIC

MarketplaceSort = described_enum(
    MarketplaceSortEnum,
    name="MarketplaceSort",
    description="The order of marketplaceApps.",
    values={
        MarketplaceSortEnum.NEWEST: "Most recently first published first.",
        MarketplaceSortEnum.NAME: "Alphabetically by name.",
        MarketplaceSortEnum.INSTALLATIONS: "Most installed first, by current installation count.",
    },
)


@strawberry.type(
    description="An app as the marketplace lists it: what a customer decides on.", directives=PUBLIC
)
class MarketplaceApp(PublicListing, relay.Node):  # a base generated from the listing
    # Every field is plain data, read with the listing in its one statement: async fields on
    # 50 nodes cost more than the statement behind them.
    listing_id: relay.NodeID[int]
    slug: str = strawberry.field(description="Stable address of the listing; old slugs work too.")
    developer_name: str = strawberry.field(description="The company that develops the app.")
    category: Category | None = strawberry.field(
        description="The marketplace category; null when none."
    )
    scopes: list[Scope] = strawberry.field(description="What the app may do once installed.")
    installation_count: int = strawberry.field(
        description="How many users have the app installed now."
    )
    published_at: datetime | None = strawberry.field(
        description="When the app was first published; null if never (an approved app reached "
        "by direct link)."
    )
    install_url: str = strawberry.field(
        description="Where Install sends the user: the app's installation page or /oauth/authorize."
    )

    @strawberry.field(
        description="The listing's Features section: each live extension with a name, in the "
        "order added; interactive ones (a floating window) are marked."
    )
    async def features(self, info: Info) -> list[AppFeature]:
        found = await info.context.loaders.extensions.load(self.listing_id)
        return [AppFeature.of(feature) for feature in extensions.features(found)]

    @classmethod
    def of(cls, listing: Listing, public_url: str) -> MarketplaceApp:
        return cls(
            listing_id=listing.id,
            slug=listing.slug,
            developer_name=listing.developer_name,
            category=Category.of(listing.values[CATEGORY.name]),
            scopes=Scope.listed(listing.scopes),
            installation_count=listing.installation_count,
            published_at=listing.published_at,
            install_url=listing.install_url(public_url),
            **shown_values(listing.values, PUBLIC_PLAIN),
        )
