"""The baselines: what the same answers cost without the service's layers.

One bare Starlette app, served by its own uvicorn process with the service's uvicorn settings,
against the same database:

- A `POST /a/marketplace`: the marketplace page's JSON (same shape and values as the GraphQL
  answer) from three hand-written SQL queries, encoded with orjson. The bar for a cached answer.
- B `POST /graphql`: the same marketplace document executed by a minimal Strawberry schema over
  the 50 listings loaded into memory at start-up, with the service's parser and validation caches
  and orjson. What GraphQL execution alone costs, the bar for an uncached answer.
- C `POST /c/oauth/token`: the SQL reads and writes of one refresh grant (client, refresh token
  with its installation, live scopes, token update, access token insert) in one transaction, as
  the service does, with a JSON token response. The bar for oauthlib and the ORM.

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
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote

import aiosqlite
import asyncpg
import orjson
import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from strawberry import relay
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache

PAGE = 50
ACCESS_LIFETIME = timedelta(hours=1)
REFRESH_IDLE_LIFETIME = timedelta(days=60)
# The service's pool bounds (Tortoise's asyncpg defaults) and SQLite pragmas (devhub_gql/db.py).
POOL_MIN, POOL_MAX = 1, 5
SQLITE_PRAGMAS = ("journal_mode=WAL", "busy_timeout=5000", "synchronous=NORMAL")


# Database access: `?` placeholders on both backends ----------------------------------------------
class SqliteDatabase:
    """One connection, like Tortoise's SQLite client; a lock keeps transactions whole."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str) -> SqliteDatabase:
        conn = await aiosqlite.connect(path, isolation_level=None)
        for pragma in SQLITE_PRAGMAS:
            await conn.execute(f"PRAGMA {pragma}")
        return cls(conn)

    def time(self, moment: datetime) -> str:
        return moment.isoformat(" ")  # as Tortoise stores it

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
    def __init__(self, conn: asyncpg.Connection | asyncpg.Pool) -> None:
        self.conn = conn

    def time(self, moment: datetime) -> datetime:
        return moment

    def any_of(self, values: Sequence[Any]) -> tuple[str, list[Any]]:
        return "= ANY(?)", [list(values)]

    async def fetch(self, sql: str, *args: Any) -> list[Sequence[Any]]:
        return await self.conn.fetch(_numbered(sql), *args)

    async def execute(self, sql: str, *args: Any) -> None:
        await self.conn.execute(_numbered(sql), *args)


class PostgresDatabase(PostgresConnection):
    @classmethod
    async def open(cls, url: str) -> PostgresDatabase:
        return cls(await asyncpg.create_pool(url, min_size=POOL_MIN, max_size=POOL_MAX))

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
LISTED_APPS = """
SELECT a.id, a.name, a.summary, a.icon_url, a.installation_count, c.name, a.category_id,
       k.label
FROM app a
JOIN company c ON c.id = a.company_id
LEFT JOIN category k ON k.slug = a.category_id
WHERE a.type = 'PUBLIC' AND a.status = 'PUBLISHED' AND a.deleted_at IS NULL
ORDER BY a.published_at DESC, a.id DESC
LIMIT ?
"""


def _listing_id(app_id: int) -> str:
    return base64.b64encode(f"MarketplaceApp:{app_id}".encode()).decode()


async def marketplace_nodes(db: Any, first: int) -> list[dict[str, Any]]:
    """The page's nodes in the GraphQL answer's shape and field order."""
    apps = await db.fetch(LISTED_APPS, first)
    ids = [row[0] for row in apps]
    if not ids:
        return []
    in_ids, args = db.any_of(ids)
    scope_rows = await db.fetch(
        "SELECT s.app_id, c.name, c.label FROM app_scope s JOIN scope c ON c.name = s.scope_id"
        f" WHERE s.app_id {in_ids} ORDER BY c.position",
        *args,
    )
    slug_rows = await db.fetch(
        f"SELECT app_id, slug FROM app_slug WHERE app_id {in_ids} ORDER BY created_at, id", *args
    )
    scopes: dict[int, list[dict[str, str]]] = {app_id: [] for app_id in ids}
    for app_id, name, label in scope_rows:
        scopes[app_id].append({"name": name, "label": label})
    slugs = {app_id: slug for app_id, slug in slug_rows}  # the newest wins
    return [
        {
            "id": _listing_id(app_id),
            "name": name,
            "slug": slugs.get(app_id),
            "summary": summary,
            "iconUrl": icon_url,
            "developerName": developer,
            "installationCount": count,
            "category": {"slug": category, "label": label} if category else None,
            "scopes": scopes[app_id],
        }
        for app_id, name, summary, icon_url, count, developer, category, label in apps
    ]


def marketplace_body(nodes: list[dict[str, Any]]) -> bytes:
    edges = [{"node": node} for node in nodes]
    return orjson.dumps({"data": {"marketplaceApps": {"edges": edges}}})


# B: the same document over in-memory objects --------------------------------------------------
@strawberry.type(name="Category")
class CategoryB:
    slug: str
    label: str


@strawberry.type(name="Scope")
class ScopeB:
    name: str
    label: str


@strawberry.type(name="MarketplaceApp")
class ListingB(relay.Node):
    listing_id: relay.NodeID[int]
    name: str
    slug: str
    summary: str | None
    icon_url: str | None
    developer_name: str
    installation_count: int
    category: CategoryB | None
    scopes: list[ScopeB]


@strawberry.type(name="MarketplaceAppEdge")
class EdgeB:
    cursor: str
    node: ListingB


@strawberry.type(name="MarketplaceAppConnection")
class ConnectionB:
    edges: list[EdgeB]


@strawberry.type(name="Query")
class QueryB:
    listings: strawberry.Private[list[ListingB]]

    @strawberry.field
    def marketplace_apps(self, first: int | None = None, after: str | None = None) -> ConnectionB:
        start = int(base64.b64decode(after).decode().removeprefix("offset:")) + 1 if after else 0
        page = self.listings[start : start + (PAGE if first is None else first)]
        return ConnectionB(
            edges=[
                EdgeB(
                    cursor=base64.urlsafe_b64encode(f"offset:{start + i}".encode()).decode(),
                    node=node,
                )
                for i, node in enumerate(page)
            ]
        )


def _listing(node: dict[str, Any]) -> ListingB:
    category = node["category"]
    return ListingB(
        listing_id=int(base64.b64decode(node["id"]).decode().split(":")[1]),
        name=node["name"],
        slug=node["slug"],
        summary=node["summary"],
        icon_url=node["iconUrl"],
        developer_name=node["developerName"],
        installation_count=node["installationCount"],
        category=CategoryB(**category) if category else None,
        scopes=[ScopeB(**scope) for scope in node["scopes"]],
    )


class InMemoryGraphQL(GraphQL):
    """Like the service's endpoint: JSON POST only, orjson both ways."""

    def __init__(self, schema: strawberry.Schema) -> None:
        super().__init__(schema, graphql_ide=None, allow_queries_via_get=False)
        self.root = QueryB(listings=[])

    async def get_root_value(self, request: Any) -> QueryB:
        return self.root

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> Any:
        return orjson.loads(data)


def in_memory_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=QueryB,
        extensions=[lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)],
    )


# C: one refresh grant's SQL -------------------------------------------------------------------
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


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _oauth_error(error: str, status: int) -> Response:
    return Response(orjson.dumps({"error": error}), status, media_type="application/json")


def _basic_credentials(header: str) -> tuple[str, str]:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    client_id, _, secret = base64.b64decode(encoded.strip()).decode().partition(":")
    return unquote(client_id), unquote(secret)


async def refresh_grant(db: Any, body: bytes, authorization: str) -> Response:
    form = parse_qs(body.decode())
    if form.get("grant_type") != ["refresh_token"] or not form.get("refresh_token"):
        return _oauth_error("invalid_request", 400)
    client_id, secret = _basic_credentials(authorization)
    now = datetime.now(UTC)
    async with db.transaction() as tx:
        apps = await tx.fetch(
            "SELECT id, client_secret_digest FROM app WHERE client_id = ? AND deleted_at IS NULL"
            " LIMIT 1",
            client_id,
        )
        if not apps or not hmac.compare_digest(_sha256(secret), apps[0][1]):
            return _oauth_error("invalid_client", 401)
        app_id = apps[0][0]
        found = await tx.fetch(
            FIND_REFRESH, _sha256(form["refresh_token"][0]), tx.time(now), app_id
        )
        if not found:
            return _oauth_error("invalid_grant", 400)
        refresh_id, installation_id, granted, company_id = found[0]
        live_rows = await tx.fetch("SELECT scope_id FROM app_scope WHERE app_id = ?", app_id)
        live = {row[0] for row in live_rows}
        scopes = [name for name in orjson.loads(granted) if name in live]
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
    answer = {
        "access_token": token,
        "expires_in": int(ACCESS_LIFETIME.total_seconds()),
        "token_type": "Bearer",
        "scope": " ".join(scopes),
        "refresh_token": form["refresh_token"][0],
        "api_domain": f"https://company{company_id}.api.devhub.example",
    }
    return Response(
        orjson.dumps(answer), media_type="application/json", headers={"cache-control": "no-store"}
    )


# The app --------------------------------------------------------------------------------------
def create_app() -> Starlette:
    database_url = os.environ["DATABASE_URL"]
    graphql = InMemoryGraphQL(in_memory_schema())
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        state["db"] = await open_database(database_url)
        nodes = await marketplace_nodes(state["db"], PAGE)
        graphql.root = QueryB(listings=[_listing(node) for node in nodes])
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

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/a/marketplace", marketplace, methods=["POST"]),
            Route("/graphql", graphql, methods=["POST"]),
            Route("/c/oauth/token", token, methods=["POST"]),
        ],
        lifespan=lifespan,
    )


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="Serve the baselines (DATABASE_URL).")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    uvicorn.run(
        "bench.baselines:create_app",
        factory=True,
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        http="devhub_gql.http_protocol:NoDelayH11Protocol",  # the service's protocol, too
        log_level="warning",
        proxy_headers=True,
    )


if __name__ == "__main__":
    main()
