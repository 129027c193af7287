"""The marketplace: listings as customers see them."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import relay

from devhub_gql.domain import extensions, ratings
from devhub_gql.domain.listing import CATEGORY
from devhub_gql.domain.marketplace import Collection, Listing
from devhub_gql.domain.marketplace import MarketplaceSort as MarketplaceSortEnum
from schema.catalogue import Category, Scope
from schema.context import Info
from schema.enums import described_enum
from schema.extensions import AppFeature
from schema.listing import PUBLIC_PLAIN, PublicListing, shown_values
from schema.pagination import After, Connection, First, paginate
from schema.ratings import RatingSummary, Review, ReviewSort
from schema.scopes import PUBLIC, VIEWER

MarketplaceSort = described_enum(
    MarketplaceSortEnum,
    name="MarketplaceSort",
    description="The order of marketplaceApps.",
    values={
        MarketplaceSortEnum.NEWEST: "Most recently first published first.",
        MarketplaceSortEnum.NAME: "Alphabetically by name.",
        MarketplaceSortEnum.INSTALLATIONS: "Most installed first, by current installation count.",
        MarketplaceSortEnum.TOP_RATED: "Best rated first, by a Bayesian average: every app counts "
        f"as if it also had {ratings.PRIOR_WEIGHT} ratings of {ratings.PRIOR_MEAN} stars, so one "
        "5-star rating does not beat two hundred of 4.8.",
        MarketplaceSortEnum.TRENDING: "Most installs in the last 30 days first.",
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
    rating: RatingSummary = strawberry.field(
        description="Its ratings: average, count and distribution (hidden ones left out)."
    )

    @strawberry.field(description="The visible reviews, a page at a time.")
    async def reviews(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        sort: Annotated[
            ReviewSort,  # type: ignore[valid-type]
            strawberry.argument(description="The order; NEWEST when omitted."),
        ] = ratings.ReviewSort.NEWEST,
    ) -> Connection[Review]:
        def read(offset: int, limit: int) -> Awaitable[list[ratings.Review]]:
            page = ratings.ReviewPage(self.listing_id, ratings.ReviewSort(sort), offset, limit)
            return info.context.loaders.reviews.load(page)

        return await paginate(read, first=first, after=after, to_node=Review.of)

    @strawberry.field(
        description="The signed-in user's own review of the app, hidden or not (with the "
        "reviewer's reason); null when they have none or are anonymous.",
        directives=VIEWER,
    )
    async def my_review(self, info: Info) -> Review | None:
        viewer = await info.context.viewer()
        if viewer is None:
            return None
        found = await info.context.loaders.own_review.load((self.listing_id, viewer.user.id))
        return Review.of(found) if found else None

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
            rating=RatingSummary.of(listing.rating),
            published_at=listing.published_at,
            install_url=listing.install_url(public_url),
            **shown_values(listing.values, PUBLIC_PLAIN),
        )


@strawberry.type(description="A named collection of listings.", directives=PUBLIC)
class MarketplaceCollection:
    slug: str = strawberry.field(
        description="top-rated, trending, newest, app-extensions, or category-<category slug>."
    )
    title: str = strawberry.field(description="Its title, e.g. Top rated apps.")
    apps: list[MarketplaceApp] = strawberry.field(description="Its first apps, in its order.")

    @classmethod
    def of(cls, collection: Collection, public_url: str) -> MarketplaceCollection:
        return cls(
            slug=collection.slug,
            title=collection.title,
            apps=[MarketplaceApp.of(listing, public_url) for listing in collection.apps],
        )
