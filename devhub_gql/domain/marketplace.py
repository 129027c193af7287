"""The public marketplace: which apps it lists, their slugs, and its change version."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from devhub_gql.domain.errors import BadRequest, NotFound
from devhub_gql.domain.listing import PUBLIC
from devhub_gql.models import App, AppSlug, AppStatus, AppType

MAX_SLUG_LENGTH = 80
MAX_SEARCH_LENGTH = 100


class MarketplaceSort(StrEnum):
    NEWEST = "NEWEST"
    NAME = "NAME"
    INSTALLATIONS = "INSTALLATIONS"


_ORDER = {
    MarketplaceSort.NEWEST: ("-published_at", "-id"),
    MarketplaceSort.NAME: ("name", "id"),
    MarketplaceSort.INSTALLATIONS: ("-installation_count", "-id"),
}


def listed_apps(
    *, search: str | None, category: str | None, sort: MarketplaceSort
) -> QuerySet[App]:
    """Published public apps only: never drafts, unpublished (approved) or deleted ones."""
    queryset = App.filter(type=AppType.PUBLIC, status=AppStatus.PUBLISHED, deleted_at=None)
    if category:
        if len(category) > MAX_SLUG_LENGTH:
            raise BadRequest("No category has so long a slug.")
        queryset = queryset.filter(category_id=category)
    if search and (text := search.strip()[:MAX_SEARCH_LENGTH]):
        queryset = queryset.filter(
            Q(name__icontains=text) | Q(summary__icontains=text) | Q(description__icontains=text)
        )
    return queryset.order_by(*_ORDER[sort])


async def get_listing(*, app_id: int | None = None, slug: str | None = None) -> dict[str, Any]:
    """A published app, or an approved (unpublished) one: those stay reachable by direct link."""
    queryset = App.filter(
        type=AppType.PUBLIC,
        status__in=(AppStatus.PUBLISHED, AppStatus.APPROVED),
        deleted_at=None,
    )
    if app_id is not None:
        rows = await queryset.filter(id=app_id).limit(1).values(*LISTING_COLUMNS)
    elif slug and len(slug) <= MAX_SLUG_LENGTH:
        rows = await queryset.filter(slugs__slug=slug.lower()).limit(1).values(*LISTING_COLUMNS)
    else:
        rows = []
    if not rows:
        raise NotFound("No app in the marketplace by that id or slug.")
    return rows[0]


# The columns a listing shows, read as plain values, not model instances (a page holds 50): the
# public listing fields, and what the page adds (installs, the developer, the install link).
LISTING_COLUMNS = (
    "id",
    *(field.column for field in PUBLIC),
    "installation_count",
    "published_at",
    "installation_url",
    "client_id",
    "callback_url",
    "company_id",
)


def install_url(listing: dict[str, Any], public_url: str) -> str:
    """Where "Install" sends a user: the app's own installation page, or our authorize URL."""
    query = urlencode({"client_id": listing["client_id"], "redirect_uri": listing["callback_url"]})
    return listing["installation_url"] or f"{public_url}/oauth/authorize?{query}"


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:MAX_SLUG_LENGTH].strip("-") or "app"


async def assign_slug(app: App, now: datetime) -> None:
    """Give the app the slug of its current name; earlier slugs keep pointing at it."""
    base = slugify(app.name)
    taken = {
        row["slug"]: row["app_id"]
        for row in await AppSlug.filter(Q(slug=base) | Q(slug__startswith=f"{base}-")).values(
            "slug", "app_id"
        )
    }
    candidate, suffix = base, 1
    while candidate in taken and taken[candidate] != app.id:
        suffix += 1
        candidate = f"{base}-{suffix}"
    if candidate in taken:  # the app held this slug before: make it current again
        await AppSlug.filter(slug=candidate).update(created_at=now)
    else:
        await AppSlug.create(slug=candidate, app_id=app.id, created_at=now)


async def current_slugs(app_ids: list[int]) -> dict[int, str]:
    rows = (
        await AppSlug.filter(app_id__in=app_ids)
        .order_by("created_at", "id")
        .values("app_id", "slug")
    )
    return {row["app_id"]: row["slug"] for row in rows}  # the newest wins
