"""The public marketplace: which apps it lists, their slugs, and its change version."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from tortoise.expressions import Q

from devhub_gql import sql
from devhub_gql.domain.catalog import live_scopes_sql, scope_names
from devhub_gql.domain.errors import BadRequest, NotFound
from devhub_gql.domain.listing import PUBLIC, reader
from devhub_gql.models import App, AppSlug

MAX_SLUG_LENGTH = 80
MAX_SEARCH_LENGTH = 100


class MarketplaceSort(StrEnum):
    NEWEST = "NEWEST"
    NAME = "NAME"
    INSTALLATIONS = "INSTALLATIONS"


_ORDER = {
    MarketplaceSort.NEWEST: "a.published_at DESC, a.id DESC",
    MarketplaceSort.NAME: "a.name, a.id",
    MarketplaceSort.INSTALLATIONS: "a.installation_count DESC, a.id DESC",
}
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
    published_at: datetime | None
    installation_url: str | None
    client_id: str
    callback_url: str

    def install_url(self, public_url: str) -> str:
        """Where "Install" sends a user: the app's own installation page, or our authorize
        URL."""
        query = urlencode({"client_id": self.client_id, "redirect_uri": self.callback_url})
        return self.installation_url or f"{public_url}/oauth/authorize?{query}"


def _listings_sql(where: str) -> str:
    columns = ", ".join(f"a.{field.column}" for field in PUBLIC)
    return (
        f"SELECT a.id, {columns}, a.installation_count, a.published_at, a.installation_url,"
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
    feature_kinds: Sequence[str] = (),
) -> list[Listing]:
    """A page of the marketplace, in the chosen order; with `feature_kinds`, only apps that
    have a live extension of one of those kinds."""
    where, params = [_LISTED], list[Any]()
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
    found = await sql.rows(
        f"{_listings_sql(' AND '.join(where))} ORDER BY {_ORDER[sort]} LIMIT ? OFFSET ?",
        *params,
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
