"""The public marketplace: which apps it lists, their slugs, and its change version."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from tortoise.expressions import Q

from devhub_gql import sql
from devhub_gql.domain.catalog import CATEGORY_LABELS, live_scopes_sql, scope_names
from devhub_gql.domain.errors import BadRequest, NotFound
from devhub_gql.domain.listing import PUBLIC, reader
from devhub_gql.domain.ratings import BAYESIAN_SQL, SUMMARY_COLUMNS, Summary
from devhub_gql.models import App, AppSlug

MAX_SLUG_LENGTH = 80
MAX_SEARCH_LENGTH = 100


class MarketplaceSort(StrEnum):
    NEWEST = "NEWEST"
    NAME = "NAME"
    INSTALLATIONS = "INSTALLATIONS"
    TOP_RATED = "TOP_RATED"
    TRENDING = "TRENDING"


TRENDING_WINDOW = timedelta(days=30)
# Installs in the trending window, for the app row `a` (the `?` is the window's start).
_RECENT_INSTALLS = (
    "(SELECT COUNT(*) FROM installation i WHERE i.app_id = a.id AND i.installed_at >= ?)"
)
_ORDER = {
    MarketplaceSort.NEWEST: "a.published_at DESC, a.id DESC",
    MarketplaceSort.NAME: "a.name, a.id",
    MarketplaceSort.INSTALLATIONS: "a.installation_count DESC, a.id DESC",
    MarketplaceSort.TOP_RATED: f"{BAYESIAN_SQL} DESC, a.rating_count DESC, a.id DESC",
    MarketplaceSort.TRENDING: f"{_RECENT_INSTALLS} DESC, a.installation_count DESC, a.id DESC",
}


def order_by(sort: MarketplaceSort, now: datetime) -> tuple[str, list[Any]]:
    """The ORDER BY of a sort, and its parameters."""
    return _ORDER[sort], [now - TRENDING_WINDOW] if sort == MarketplaceSort.TRENDING else []


_SEARCHED = ("name", "summary", "description")


@dataclass(frozen=True)
class Listing:
    """An app as the marketplace shows it, read with its developer, slug and live scopes in one
    hand-written statement (a page of fifty costs what one listing does)."""

    id: int
    values: dict[str, Any]  # the public listing fields by name; the category as its slug
    slug: str
    developer_name: str
    scopes: list[str]  # catalogue order
    installation_count: int
    rating: Summary
    published_at: datetime | None
    installation_url: str | None
    client_id: str
    callback_url: str

    def install_url(self, public_url: str) -> str:
        """Where "Install" sends a user: the app's own installation page, or our authorize
        URL."""
        query = urlencode({"client_id": self.client_id, "redirect_uri": self.callback_url})
        return self.installation_url or f"{public_url}/oauth/authorize?{query}"


def _listings_sql(where: str, extra: str = "") -> str:
    columns = ", ".join(f"a.{field.column}" for field in PUBLIC)
    return (
        f"SELECT {extra}a.id, {columns}, a.installation_count, {SUMMARY_COLUMNS},"
        " a.published_at, a.installation_url,"
        " a.client_id, a.callback_url, c.name AS developer_name,"
        " (SELECT s.slug FROM app_slug s WHERE s.app_id = a.id"
        "  ORDER BY s.created_at DESC, s.id DESC LIMIT 1) AS slug,"
        f" {live_scopes_sql('a')} AS scope_names"
        f" FROM app a JOIN company c ON c.id = a.company_id WHERE {where}"
    )


_read_listing = reader(PUBLIC)


def _listing(found: dict[str, Any]) -> Listing:
    return Listing(
        id=int(found["id"]),
        values=_read_listing(found),
        slug=found["slug"] or "",
        developer_name=found["developer_name"],
        scopes=scope_names(found["scope_names"]),
        installation_count=int(found["installation_count"]),
        rating=Summary.of_row(found),
        published_at=sql.maybe_moment(found["published_at"]),
        installation_url=found["installation_url"],
        client_id=found["client_id"],
        callback_url=found["callback_url"],
    )


# Published public apps only: never drafts, unpublished (approved) or deleted ones.
_LISTED = "a.type = 'PUBLIC' AND a.status = 'PUBLISHED' AND a.deleted_at IS NULL"
# ...and by direct link, approved (unpublished) ones too.
_REACHABLE = "a.type = 'PUBLIC' AND a.status IN ('PUBLISHED', 'APPROVED') AND a.deleted_at IS NULL"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def listed_apps(
    *,
    search: str | None,
    category: str | None,
    sort: MarketplaceSort,
    offset: int,
    limit: int,
    now: datetime,
    feature_kinds: Sequence[str] = (),
    min_rating: float | None = None,
) -> list[Listing]:
    """A page of the marketplace, in the chosen order; with `feature_kinds`, only apps that
    have a live extension of one of those kinds; with `min_rating`, only apps whose average is at
    least that."""
    where, params = [_LISTED], list[Any]()
    if min_rating is not None and not 1 <= min_rating <= 5:
        raise BadRequest("'minRating' is between 1 and 5.")
    if min_rating is not None:
        where.append(
            "a.rating_count > 0 AND a.rating_sum >= CAST(? AS DOUBLE PRECISION) * a.rating_count"
        )
        params.append(min_rating)
    if feature_kinds:
        where.append(
            "EXISTS (SELECT 1 FROM app_extension e WHERE e.app_id = a.id"
            f" AND e.kind {sql.one_of(feature_kinds)})"
        )
        params += list(feature_kinds)
    if category:
        if len(category) > MAX_SLUG_LENGTH:
            raise BadRequest("No category has so long a slug.")
        where.append("a.category_id = ?")
        params.append(category)
    if search and (text := search.strip()[:MAX_SEARCH_LENGTH]):
        # In any letter case, as far as the database's UPPER goes (all of Unicode on
        # PostgreSQL, ASCII on SQLite).
        where.append(
            "(" + " OR ".join(f"UPPER(a.{c}) LIKE UPPER(?) ESCAPE '\\'" for c in _SEARCHED) + ")"
        )
        params += [f"%{_escape_like(text)}%"] * len(_SEARCHED)
    order, order_params = order_by(sort, now)
    found = await sql.rows(
        f"{_listings_sql(' AND '.join(where))} ORDER BY {order} LIMIT ? OFFSET ?",
        *params,
        *order_params,
        limit,
        offset,
    )
    return [_listing(row) for row in found]


async def get_listing(*, app_id: int | None = None, slug: str | None = None) -> Listing:
    """A published app, or an approved (unpublished) one: those stay reachable by direct link."""
    found = None
    if app_id is not None:
        found = await sql.row(_listings_sql(f"{_REACHABLE} AND a.id = ?"), app_id)
    elif slug and len(slug) <= MAX_SLUG_LENGTH:
        found = await sql.row(
            _listings_sql(f"{_REACHABLE} AND a.id = (SELECT app_id FROM app_slug WHERE slug = ?)"),
            slug.lower(),
        )
    if found is None:
        raise NotFound("No app in the marketplace by that id or slug.")
    return _listing(found)


@dataclass(frozen=True)
class Collection:
    slug: str
    title: str
    apps: list[Listing]


MAX_SHOWN = 20  # apps per collection


async def collections(*, first: int, now: datetime) -> list[Collection]:
    """The marketplace's named collections, each with its first apps: top rated (rated apps by
    their Bayesian average), trending (installs in the last 30 days), newest, apps with
    extensions, and one per category (by rating). Five statements, however many collections."""
    if not 1 <= first <= MAX_SHOWN:
        raise BadRequest(f"'first' must be between 1 and {MAX_SHOWN}.")

    async def top(where: str, sort: MarketplaceSort, *params: Any) -> list[Listing]:
        order, order_params = order_by(sort, now)
        rows = await sql.rows(
            f"{_listings_sql(f'{_LISTED} AND {where}')} ORDER BY {order} LIMIT ?",
            *params,
            *order_params,
            first,
        )
        return [_listing(row) for row in rows]

    since = now - TRENDING_WINDOW
    found = [
        Collection(
            "top-rated",
            "Top rated apps",
            await top("a.rating_count > 0", MarketplaceSort.TOP_RATED),
        ),
        Collection(
            "trending",
            "Trending apps",
            await top(f"{_RECENT_INSTALLS} > 0", MarketplaceSort.TRENDING, since),
        ),
        Collection("newest", "New apps", await top("1 = 1", MarketplaceSort.NEWEST)),
        Collection(
            "app-extensions",
            "Apps with extensions",
            await top(
                "EXISTS (SELECT 1 FROM app_extension e WHERE e.app_id = a.id)",
                MarketplaceSort.TOP_RATED,
            ),
        ),
    ]
    by_rating = _ORDER[MarketplaceSort.TOP_RATED]
    rank = f"ROW_NUMBER() OVER (PARTITION BY a.category_id ORDER BY {by_rating}) AS n, "
    rows = await sql.rows(
        f"SELECT * FROM ({_listings_sql(f'{_LISTED} AND a.category_id IS NOT NULL', rank)}) x"
        " WHERE x.n <= ? ORDER BY x.category_id, x.n",
        first,
    )
    by_category: dict[str, list[Listing]] = {}
    for row in rows:
        by_category.setdefault(row["category_id"], []).append(_listing(row))
    found += [
        Collection(f"category-{slug}", CATEGORY_LABELS[slug], listings)
        for slug, listings in sorted(by_category.items(), key=lambda item: CATEGORY_LABELS[item[0]])
    ]
    return [collection for collection in found if collection.apps]


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
