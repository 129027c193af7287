"""The baselines: what the same answers cost without the service's layers.

One bare Starlette app, served by its own uvicorn process with the service's uvicorn settings,
against the same database:

- A `POST /a/marketplace`: the marketplace page's JSON (same shape and values as the GraphQL
  answer) from three hand-written SQL queries, encoded with orjson. The bar for a cached answer.
- B `POST /graphql`: each GraphQL document the benchmark sends (the marketplace page, the
  developer's apps, one app's detail, one listing with its rating and reviews) executed by a
  minimal Strawberry schema of the same shape (same field names and nesting, relay ids,
  connections with edges and nodes) over data loaded into memory at start-up, with the
  service's parser and validation caches and orjson. What GraphQL execution alone costs, the
  bar for an uncached answer.
- C `POST /c/oauth/token`: the SQL reads and writes of one refresh grant (client, refresh token
  with its installation, live scopes, token update, access token insert) in one transaction, as
  the service does, with a JSON token response. The bar for oauthlib and the ORM.
- D `POST /d/oauth/introspect`: introspection's SQL (the client, then one lookup of the access
  token with its installation and the app's live scopes) with the RFC 7662 JSON answer. The
  floor for introspection.

The listing's columns and GraphQL fields come from its declaration (devhub_gql.domain.listing).

`python -m bench.baselines --port P [--workers N]` with DATABASE_URL set.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, unquote

import aiosqlite
import asyncpg
import orjson
import strawberry
from graphql import parse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from strawberry import relay
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache

from bench.config import CLIENT_APP_ID, DEVELOPER_COMPANY_ID
from bench.scenarios import MARKETPLACE
from devhub_gql import db, sqlite_inline
from devhub_gql.domain.listing import CATEGORY, LISTING, Kind, ListingField
from devhub_gql.postgres_pool import PooledConnection

PAGE = 50
DEFAULT_PAGE = 20  # the service's page size when `first` is omitted
REVIEWS_PAGE = 20  # the listing document's reviews(first: 20, sort: MOST_HELPFUL)
ACCESS_LIFETIME = timedelta(hours=1)
REFRESH_IDLE_LIFETIME = timedelta(days=60)
API_DOMAIN = "https://company{company_id}.api.devhub.example"
# The service's pool bounds (Tortoise's asyncpg defaults) and SQLite pragmas (devhub_gql/db.py).
POOL_MIN, POOL_MAX = 1, 5
SQLITE_PRAGMAS = tuple(f"{name}={value}" for name, value in db.SQLITE_PRAGMAS.items())


# The listing, from its declaration ---------------------------------------------------------------
def graphql_name(listing_field: ListingField) -> str:
    """Strawberry's name for a field: `x_y_z` -> `xYZ`."""
    first, *rest = listing_field.name.split("_")
    return first + "".join(part.title() for part in rest)


BY_GRAPHQL_NAME = {graphql_name(f): f for f in LISTING}
PLAIN = tuple(f for f in LISTING if f.kind != Kind.CATEGORY)
PUBLIC_PLAIN = tuple(f for f in PLAIN if f.public)


def node_fields(document: str) -> list[str]:
    """The fields a list document asks of each `node`, in its order."""

    def walk(selection_set: Any) -> list[str]:
        for selection in selection_set.selections:
            if selection.name.value == "node":
                return [field.name.value for field in selection.selection_set.selections]
            if selection.selection_set is not None and (found := walk(selection.selection_set)):
                return found
        return []

    return walk(parse(document).definitions[0].selection_set)


# The plain listing fields the marketplace document asks for: what baseline A selects.
MARKETPLACE_SHOWN = tuple(
    BY_GRAPHQL_NAME[name]
    for name in node_fields(MARKETPLACE)
    if name in BY_GRAPHQL_NAME and BY_GRAPHQL_NAME[name].kind != Kind.CATEGORY
)


def listing_value(listing_field: ListingField, value: Any) -> Any:
    """A column's value as the API shows it: lists are JSON text (SQLite and asyncpg's jsonb),
    flags are 0/1 on SQLite."""
    if listing_field.kind == Kind.URL_LIST:
        return orjson.loads(value) if isinstance(value, str | bytes) else list(value or [])
    if listing_field.kind == Kind.FLAG:
        return bool(value)
    return value


def columns(fields: Sequence[ListingField], alias: str = "a") -> str:
    return ", ".join(f"{alias}.{f.column}" for f in fields)


# Database access: `?` placeholders on both backends ----------------------------------------------
class SqliteDatabase:
    """One connection, like Tortoise's SQLite client; a lock keeps transactions whole."""

    # The app's live scopes as one space-separated value, inside another query.
    SCOPE_LIST = "group_concat(s.scope_id, ' ')"

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str) -> SqliteDatabase:
        # As the service runs SQLite: statements on the event loop's thread.
        conn = await sqlite_inline.connect(path)
        for pragma in SQLITE_PRAGMAS:
            await conn.execute(f"PRAGMA {pragma}")
        return cls(conn)

    def time(self, moment: datetime) -> str:
        return moment.isoformat(" ")  # as Tortoise stores it

    def moment(self, value: str | datetime) -> datetime:
        return datetime.fromisoformat(value) if isinstance(value, str) else value

    def any_of(self, values: Sequence[Any]) -> tuple[str, list[Any]]:
        return f"IN ({', '.join('?' * len(values))})", list(values)

    async def fetch(self, sql: str, *args: Any) -> list[Sequence[Any]]:
        return list(await self.conn.execute_fetchall(sql, args))

    async def execute(self, sql: str, *args: Any) -> None:
        await self.conn.execute(sql, args)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteDatabase]:
        async with self.lock:
            await self.conn.execute("BEGIN")
            try:
                yield self
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    async def close(self) -> None:
        await self.conn.close()


def _numbered(sql: str) -> str:
    parts = sql.split("?")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], start=1)) + parts[-1]


class PostgresConnection:
    SCOPE_LIST = "string_agg(s.scope_id, ' ')"

    def __init__(self, conn: asyncpg.Connection | asyncpg.Pool) -> None:
        self.conn = conn

    def time(self, moment: datetime) -> datetime:
        return moment

    def moment(self, value: datetime) -> datetime:
        return value

    def any_of(self, values: Sequence[Any]) -> tuple[str, list[Any]]:
        return "= ANY(?)", [list(values)]

    async def fetch(self, sql: str, *args: Any) -> list[Sequence[Any]]:
        return await self.conn.fetch(_numbered(sql), *args)

    async def execute(self, sql: str, *args: Any) -> None:
        await self.conn.execute(_numbered(sql), *args)


class PostgresDatabase(PostgresConnection):
    @classmethod
    async def open(cls, url: str) -> PostgresDatabase:
        # The service's pooled connections (no reset round trip when one goes back to the pool).
        pool = await asyncpg.create_pool(
            url, min_size=POOL_MIN, max_size=POOL_MAX, connection_class=PooledConnection
        )
        return cls(pool)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresConnection]:
        async with self.conn.acquire() as conn, conn.transaction():
            yield PostgresConnection(conn)

    async def close(self) -> None:
        await self.conn.close()


async def open_database(url: str) -> SqliteDatabase | PostgresDatabase:
    if url.startswith("sqlite://"):
        return await SqliteDatabase.open(url.removeprefix("sqlite://"))
    return await PostgresDatabase.open(url.replace("postgres://", "postgresql://", 1))


# A: the marketplace page from SQL -------------------------------------------------------------
def listed_apps_sql(fields: Sequence[ListingField], where: str = "") -> str:
    """The published public apps, newest first, with their developer and category."""
    return f"""
SELECT a.id, {columns(fields)}, c.name, a.installation_count, a.{CATEGORY.column}, k.label
FROM app a
JOIN company c ON c.id = a.company_id
LEFT JOIN category k ON k.slug = a.{CATEGORY.column}
WHERE a.type = 'PUBLIC' AND a.status = 'PUBLISHED' AND a.deleted_at IS NULL {where}
ORDER BY a.published_at DESC, a.id DESC
LIMIT ?
"""


LISTED_APPS = listed_apps_sql(MARKETPLACE_SHOWN)


def _listing_id(app_id: int) -> str:
    return base64.b64encode(f"MarketplaceApp:{app_id}".encode()).decode()


async def scopes_of(db: Any, ids: list[int], *, described: bool = False) -> dict[int, list[Any]]:
    """Each app's live scopes in catalogue order, as {name, label[, description]}."""
    found: dict[int, list[Any]] = {app_id: [] for app_id in ids}
    if not ids:
        return found
    in_ids, args = db.any_of(ids)
    extra = ", c.description" if described else ""
    rows = await db.fetch(
        f"SELECT s.app_id, c.name, c.label{extra} FROM app_scope s"
        f" JOIN scope c ON c.name = s.scope_id WHERE s.app_id {in_ids} ORDER BY c.position",
        *args,
    )
    for app_id, name, label, *description in rows:
        scope = {"name": name, "label": label}
        if described:
            scope["description"] = description[0]
        found[app_id].append(scope)
    return found


async def slugs_of(db: Any, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    in_ids, args = db.any_of(ids)
    rows = await db.fetch(
        f"SELECT app_id, slug FROM app_slug WHERE app_id {in_ids} ORDER BY created_at, id", *args
    )
    return {app_id: slug for app_id, slug in rows}  # the newest wins


async def marketplace_nodes(db: Any, first: int) -> list[dict[str, Any]]:
    """The page's nodes in the GraphQL answer's shape."""
    apps = await db.fetch(LISTED_APPS, first)
    ids = [row[0] for row in apps]
    scopes = await scopes_of(db, ids)
    slugs = await slugs_of(db, ids)
    shown = len(MARKETPLACE_SHOWN)
    nodes = []
    for app_id, *values in apps:
        developer, count, category, label = values[shown:]
        node = {"id": _listing_id(app_id), "slug": slugs.get(app_id)}
        for listing_field, value in zip(MARKETPLACE_SHOWN, values[:shown], strict=True):
            node[graphql_name(listing_field)] = listing_value(listing_field, value)
        node["developerName"] = developer
        node["installationCount"] = count
        node["category"] = {"slug": category, "label": label} if category else None
        node["scopes"] = scopes[app_id]
        nodes.append(node)
    return nodes


def marketplace_body(nodes: list[dict[str, Any]]) -> bytes:
    edges = [{"node": node} for node in nodes]
    return orjson.dumps({"data": {"marketplaceApps": {"edges": edges}}})


# B: the same documents over in-memory objects ---------------------------------------------------
@strawberry.enum(name="AppType")
class AppTypeB(Enum):
    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"


@strawberry.enum(name="AppStatus")
class AppStatusB(Enum):
    DRAFT = "DRAFT"
    IN_REVIEW = "IN_REVIEW"
    APPROVED = "APPROVED"
    PUBLISHED = "PUBLISHED"
    LIVE = "LIVE"


@strawberry.enum(name="CompanyKind")
class CompanyKindB(Enum):
    SANDBOX = "SANDBOX"
    PRODUCTION = "PRODUCTION"


@strawberry.type(name="Category")
class CategoryB:
    slug: str
    label: str


@strawberry.type(name="Scope")
class ScopeB:
    name: str
    label: str
    description: str


@strawberry.type(name="Company")
class CompanyB(relay.Node):
    company_id: relay.NodeID[int]
    name: str
    kind: CompanyKindB


_SHOWN_AS: dict[Kind, Any] = {
    Kind.TEXT: str,
    Kind.URL: str,
    Kind.YOUTUBE_URL: str,
    Kind.EMAIL: str,
    Kind.URL_LIST: list[str],
    Kind.FLAG: bool,
}


def _shown_as(listing_field: ListingField) -> Any:
    shown = _SHOWN_AS[listing_field.kind]
    if listing_field.kind in (Kind.URL_LIST, Kind.FLAG) or listing_field.always_set:
        return shown
    return shown | None


def listing_type(
    name: str, fields: Sequence[ListingField], own: dict[str, Any], resolvers: dict[str, Any]
) -> Any:
    """A Strawberry node type with one field per listing field, plus its own fields."""
    annotations = {f.name: _shown_as(f) for f in fields}
    annotations.update(own)
    namespace = {
        "__module__": __name__,
        "__qualname__": f"{name}B",
        "__annotations__": annotations,
        **resolvers,
    }
    return strawberry.type(type(f"{name}B", (relay.Node,), namespace), name=name)


@strawberry.type(name="RatingSummary")
class RatingSummaryB:
    average: float | None
    count: int
    distribution: list[int]


@strawberry.type(name="ReviewReply")
class ReviewReplyB:
    body: str
    created_at: datetime
    updated_at: datetime


@strawberry.type(name="Review")
class ReviewB(relay.Node):
    review_id: relay.NodeID[int]
    stars: int
    title: str | None
    body: str | None
    author_name: str
    created_at: datetime
    edited: bool
    helpful_count: int
    reply: ReviewReplyB | None


@strawberry.enum(name="ReviewSort")
class ReviewSortB(Enum):
    NEWEST = "NEWEST"
    MOST_HELPFUL = "MOST_HELPFUL"
    LOWEST = "LOWEST"
    HIGHEST = "HIGHEST"


def _reviews(
    self: Any,
    first: int | None = None,
    after: str | None = None,
    sort: ReviewSortB = ReviewSortB.NEWEST,
) -> ConnectionB[ReviewB]:
    # The page asked for is the one loaded (the most helpful): B pages what it holds.
    return page(self.review_list, first, after)


ListingB = listing_type(
    "MarketplaceApp",
    PUBLIC_PLAIN,
    {
        "listing_id": relay.NodeID[int],
        "slug": str,
        "developer_name": str,
        "installation_count": int,
        CATEGORY.name: CategoryB | None,
        "scopes": list[ScopeB],
        "rating": RatingSummaryB | None,
        "review_list": strawberry.Private[list[ReviewB]],
    },
    {"reviews": strawberry.field(resolver=_reviews)},
)
AppB = listing_type(
    "App",
    PLAIN,
    {
        "app_id": relay.NodeID[int],
        "type": AppTypeB,
        "status": AppStatusB,
        "client_id": str,
        "created_at": datetime,
        "updated_at": datetime,
        CATEGORY.name: CategoryB | None,
        "scopes": list[ScopeB],
        "company": CompanyB,
    },
    {},
)


NodeT = TypeVar("NodeT")


@strawberry.type(name="PageInfo")
class PageInfoB:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(name="Edge")
class EdgeB(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type(name="Connection")
class ConnectionB(Generic[NodeT]):
    edges: list[EdgeB[NodeT]]
    has_next: strawberry.Private[bool]
    has_previous: strawberry.Private[bool]

    @strawberry.field
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]

    @strawberry.field
    def page_info(self) -> PageInfoB:
        return PageInfoB(
            has_next_page=self.has_next,
            has_previous_page=self.has_previous,
            start_cursor=self.edges[0].cursor if self.edges else None,
            end_cursor=self.edges[-1].cursor if self.edges else None,
        )


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def page(items: list[Any], first: int | None, after: str | None) -> ConnectionB[Any]:
    start = (
        int(base64.urlsafe_b64decode(after).decode().removeprefix("offset:")) + 1 if after else 0
    )
    size = DEFAULT_PAGE if first is None else first
    shown = items[start : start + size]
    return ConnectionB(
        edges=[EdgeB(cursor=_cursor(start + i), node=node) for i, node in enumerate(shown)],
        has_next=start + size < len(items),
        has_previous=start > 0,
    )


@dataclass
class Memory:
    """What B answers from, loaded once at start-up."""

    listings: list[Any] = field(default_factory=list)
    apps: list[Any] = field(default_factory=list)  # the developer's, newest first
    app_by_id: dict[int, Any] = field(default_factory=dict)
    listing_by_id: dict[int, Any] = field(default_factory=dict)  # with its rating and reviews


@strawberry.type(name="Query")
class QueryB:
    memory: strawberry.Private[Memory]

    @strawberry.field
    def marketplace_apps(
        self, first: int | None = None, after: str | None = None
    ) -> ConnectionB[ListingB]:
        return page(self.memory.listings, first, after)

    @strawberry.field
    def apps(self, first: int | None = None, after: str | None = None) -> ConnectionB[AppB]:
        return page(self.memory.apps, first, after)

    @strawberry.field
    def marketplace_app(self, id: strawberry.ID) -> ListingB | None:
        type_name, _, raw = base64.b64decode(id).decode().partition(":")
        return self.memory.listing_by_id.get(int(raw)) if type_name == "MarketplaceApp" else None

    @strawberry.field
    def app(self, id: strawberry.ID) -> AppB:
        type_name, _, raw = base64.b64decode(id).decode().partition(":")
        found = self.memory.app_by_id.get(int(raw)) if type_name == "App" else None
        if found is None:
            raise ValueError("No app with this id.")
        return found


def _category(slug: str | None, label: str | None) -> CategoryB | None:
    return CategoryB(slug=slug, label=label) if slug else None


RATING = (
    "SELECT rating_count, rating_sum, rating_1, rating_2, rating_3, rating_4, rating_5"
    " FROM app WHERE id = ?"
)
MOST_HELPFUL = """
SELECT r.id, r.stars, r.title, r.body, u.name, r.created_at, r.edited_at, r.helpful_count,
       r.reply_body, r.reply_created_at, r.reply_updated_at
FROM app_rating r JOIN "user" u ON u.id = r.user_id
WHERE r.app_id = ? AND r.hidden_at IS NULL
ORDER BY r.helpful_count DESC, r.created_at DESC, r.id DESC
LIMIT ?
"""


async def load_reviewed_listing(db: Any, app_id: int, reviews: int) -> Any:
    """One listing with its rating and its most helpful reviews (the listing page)."""
    (listing,) = await load_listings(db, 1, app_id=app_id)
    count, total, *distribution = (await db.fetch(RATING, app_id))[0]
    listing.rating = RatingSummaryB(
        average=round(total / count, 1) if count else None,
        count=count,
        distribution=distribution,
    )
    for (
        review_id,
        stars,
        title,
        body,
        author,
        created,
        edited,
        helpful,
        reply,
        replied,
        reply_updated,
    ) in await db.fetch(MOST_HELPFUL, app_id, reviews):
        listing.review_list.append(
            ReviewB(
                review_id=review_id,
                stars=stars,
                title=title,
                body=body,
                author_name=author,
                created_at=db.moment(created),
                edited=edited is not None,
                helpful_count=helpful,
                reply=ReviewReplyB(
                    body=reply, created_at=db.moment(replied), updated_at=db.moment(reply_updated)
                )
                if reply is not None
                else None,
            )
        )
    return listing


async def load_listings(db: Any, first: int, app_id: int | None = None) -> list[Any]:
    """The marketplace's first listings, newest first (or the one listing `app_id`)."""
    where, args = ("AND a.id = ?", [app_id]) if app_id is not None else ("", [])
    rows = await db.fetch(listed_apps_sql(PUBLIC_PLAIN, where), *args, first)
    ids = [row[0] for row in rows]
    scopes = await scopes_of(db, ids, described=True)
    slugs = await slugs_of(db, ids)
    shown = len(PUBLIC_PLAIN)
    listings = []
    for app_id, *values in rows:
        developer, count, category, label = values[shown:]
        listing = {
            f.name: listing_value(f, value)
            for f, value in zip(PUBLIC_PLAIN, values[:shown], strict=True)
        }
        listings.append(
            ListingB(
                listing_id=app_id,
                slug=slugs[app_id],
                developer_name=developer,
                installation_count=count,
                scopes=[ScopeB(**scope) for scope in scopes[app_id]],
                rating=None,
                review_list=[],
                **{CATEGORY.name: _category(category, label)},
                **listing,
            )
        )
    return listings


APPS = f"""
SELECT a.id, a.type, a.status, a.client_id, a.created_at, a.updated_at, a.company_id,
       a.{CATEGORY.column}, k.label, {columns(PLAIN)}
FROM app a
LEFT JOIN category k ON k.slug = a.{CATEGORY.column}
WHERE a.company_id = ? AND a.deleted_at IS NULL {{where}}
ORDER BY a.created_at DESC, a.id DESC
LIMIT ?
"""


async def load_apps(db: Any, company_id: int, first: int, app_id: int | None = None) -> list[Any]:
    """A company's apps as the developer sees them, newest first (or the one app `app_id`)."""
    where, args = ("AND a.id = ?", [app_id]) if app_id is not None else ("", [])
    rows = await db.fetch(APPS.format(where=where), company_id, *args, first)
    ids = [row[0] for row in rows]
    scopes = await scopes_of(db, ids, described=True)
    companies = {}
    for row_id, name, kind in await db.fetch(
        "SELECT id, name, kind FROM company WHERE id = ?", company_id
    ):
        companies[row_id] = CompanyB(company_id=row_id, name=name, kind=CompanyKindB(kind))
    apps = []
    for (
        found_id,
        kind,
        status,
        client_id,
        created,
        updated,
        owner,
        category,
        label,
        *values,
    ) in rows:
        listing = {f.name: listing_value(f, value) for f, value in zip(PLAIN, values, strict=True)}
        apps.append(
            AppB(
                app_id=found_id,
                type=AppTypeB(kind),
                status=AppStatusB(status),
                client_id=client_id,
                created_at=db.moment(created),
                updated_at=db.moment(updated),
                company=companies[owner],
                scopes=[ScopeB(**scope) for scope in scopes[found_id]],
                **{CATEGORY.name: _category(category, label)},
                **listing,
            )
        )
    return apps


async def load_memory(db: Any) -> Memory:
    memory = Memory(
        listings=await load_listings(db, PAGE),
        apps=await load_apps(db, DEVELOPER_COMPANY_ID, PAGE),
    )
    detail = await load_apps(db, DEVELOPER_COMPANY_ID, 1, app_id=CLIENT_APP_ID)
    memory.app_by_id = {app.app_id: app for app in [*memory.apps, *detail]}
    memory.listing_by_id = {
        CLIENT_APP_ID: await load_reviewed_listing(db, CLIENT_APP_ID, REVIEWS_PAGE)
    }
    return memory


class InMemoryGraphQL(GraphQL):
    """Like the service's endpoint: JSON POST only, orjson both ways."""

    def __init__(self, schema: strawberry.Schema) -> None:
        super().__init__(schema, graphql_ide=None, allow_queries_via_get=False)
        self.root = QueryB(memory=Memory())

    async def get_root_value(self, request: Any) -> QueryB:
        return self.root

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> Any:
        return orjson.loads(data)


def in_memory_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=QueryB,
        types=[CompanyB],
        extensions=[lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)],
    )


# C and D: one refresh grant's SQL, one introspection's SQL --------------------------------------
FIND_REFRESH = """
SELECT r.id, r.installation_id, i.scopes, i.company_id
FROM refresh_token r JOIN installation i ON i.id = r.installation_id
WHERE r.token_digest = ? AND r.revoked_at IS NULL AND r.expires_at > ?
  AND i.app_id = ? AND i.uninstalled_at IS NULL
LIMIT 1
"""
INSERT_ACCESS = """
INSERT INTO access_token
  (token_digest, installation_id, refresh_token_id, scopes, created_at, expires_at)
VALUES (?, ?, ?, ?, ?, ?)
"""
# The token with its installation and the app's live scopes, in one statement.
FIND_ACCESS = """
SELECT t.scopes, t.created_at, t.expires_at, i.user_id, i.company_id,
       (SELECT {scope_list} FROM app_scope s WHERE s.app_id = i.app_id)
FROM access_token t JOIN installation i ON i.id = t.installation_id
WHERE t.token_digest = ? AND t.revoked_at IS NULL AND t.expires_at > ?
  AND i.app_id = ? AND i.uninstalled_at IS NULL
LIMIT 1
"""
FIND_CLIENT = (
    "SELECT id, client_secret_digest FROM app WHERE client_id = ? AND deleted_at IS NULL LIMIT 1"
)
JSON_HEADERS = {"cache-control": "no-store", "pragma": "no-cache"}


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _json(answer: dict[str, Any], status: int = 200) -> Response:
    return Response(
        orjson.dumps(answer), status, media_type="application/json", headers=JSON_HEADERS
    )


def _oauth_error(error: str, status: int) -> Response:
    return _json({"error": error}, status)


def _basic_credentials(header: str) -> tuple[str, str]:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    client_id, _, secret = base64.b64decode(encoded.strip()).decode().partition(":")
    return unquote(client_id), unquote(secret)


async def _client(db: Any, authorization: str) -> int | None:
    """The app authenticated by HTTP Basic, or None."""
    client_id, secret = _basic_credentials(authorization)
    apps = await db.fetch(FIND_CLIENT, client_id)
    if not apps or not hmac.compare_digest(_sha256(secret), apps[0][1]):
        return None
    return apps[0][0]


def _granted(granted: Any) -> list[str]:
    return orjson.loads(granted) if isinstance(granted, str | bytes) else list(granted)


async def refresh_grant(db: Any, body: bytes, authorization: str) -> Response:
    form = parse_qs(body.decode())
    if form.get("grant_type") != ["refresh_token"] or not form.get("refresh_token"):
        return _oauth_error("invalid_request", 400)
    now = datetime.now(UTC)
    async with db.transaction() as tx:
        app_id = await _client(tx, authorization)
        if app_id is None:
            return _oauth_error("invalid_client", 401)
        found = await tx.fetch(
            FIND_REFRESH, _sha256(form["refresh_token"][0]), tx.time(now), app_id
        )
        if not found:
            return _oauth_error("invalid_grant", 400)
        refresh_id, installation_id, granted, company_id = found[0]
        live_rows = await tx.fetch("SELECT scope_id FROM app_scope WHERE app_id = ?", app_id)
        live = {row[0] for row in live_rows}
        scopes = [name for name in _granted(granted) if name in live]
        token = f"dhat_{secrets.token_urlsafe(32)}"
        await tx.execute(
            "UPDATE refresh_token SET last_used_at = ?, expires_at = ? WHERE id = ?",
            tx.time(now),
            tx.time(now + REFRESH_IDLE_LIFETIME),
            refresh_id,
        )
        await tx.execute(
            INSERT_ACCESS,
            _sha256(token),
            installation_id,
            refresh_id,
            orjson.dumps(scopes).decode(),
            tx.time(now),
            tx.time(now + ACCESS_LIFETIME),
        )
    return _json(
        {
            "access_token": token,
            "expires_in": int(ACCESS_LIFETIME.total_seconds()),
            "token_type": "Bearer",
            "scope": " ".join(scopes),
            "refresh_token": form["refresh_token"][0],
            "api_domain": API_DOMAIN.format(company_id=company_id),
        }
    )


async def introspect(db: Any, body: bytes, authorization: str) -> Response:
    form = parse_qs(body.decode())
    if not form.get("token"):
        return _oauth_error("invalid_request", 400)
    app_id = await _client(db, authorization)
    if app_id is None:
        return _oauth_error("invalid_client", 401)
    now = datetime.now(UTC)
    found = await db.fetch(
        FIND_ACCESS.format(scope_list=db.SCOPE_LIST),
        _sha256(form["token"][0]),
        db.time(now),
        app_id,
    )
    if not found:
        return _json({"active": False})
    granted, created, expires, user_id, company_id, live = found[0]
    live_names = set((live or "").split())
    return _json(
        {
            "active": True,
            "scope": " ".join(name for name in _granted(granted) if name in live_names),
            "client_id": _basic_credentials(authorization)[0],
            "iat": int(db.moment(created).timestamp()),
            "exp": int(db.moment(expires).timestamp()),
            "sub": str(user_id),
            "user_id": user_id,
            "company_id": company_id,
            "token_type": "Bearer",
        }
    )


# The app --------------------------------------------------------------------------------------
def create_app() -> Starlette:
    database_url = os.environ["DATABASE_URL"]
    graphql = InMemoryGraphQL(in_memory_schema())
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        state["db"] = await open_database(database_url)
        graphql.root = QueryB(memory=await load_memory(state["db"]))
        try:
            yield
        finally:
            await state["db"].close()

    async def marketplace(request: Request) -> Response:
        await request.body()
        nodes = await marketplace_nodes(state["db"], PAGE)
        return Response(marketplace_body(nodes), media_type="application/json")

    async def token(request: Request) -> Response:
        body = await request.body()
        return await refresh_grant(state["db"], body, request.headers.get("authorization", ""))

    async def introspection(request: Request) -> Response:
        body = await request.body()
        return await introspect(state["db"], body, request.headers.get("authorization", ""))

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/a/marketplace", marketplace, methods=["POST"]),
            Route("/graphql", graphql, methods=["POST"]),
            Route("/c/oauth/token", token, methods=["POST"]),
            Route("/d/oauth/introspect", introspection, methods=["POST"]),
        ],
        lifespan=lifespan,
    )


def main() -> None:
    import uvicorn

    from devhub_gql import workers
    from devhub_gql.cli import HTTP_PROTOCOL

    parser = argparse.ArgumentParser(description="Serve the baselines (DATABASE_URL).")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    config = uvicorn.Config(
        "bench.baselines:create_app",
        factory=True,
        host="127.0.0.1",
        port=args.port,
        http=HTTP_PROTOCOL,  # the service's protocol, too
        log_level="warning",
        proxy_headers=True,
    )
    # The service's process layout, too: with several workers, connections handed out in turn.
    raise SystemExit(workers.serve(config, args.workers))


if __name__ == "__main__":
    main()
