"""SQL statements per request, counted in-process for each operation of the service and the peer.

The service's own statement listener (observability.capture_statements, which its metrics
and the tests use too) counts the statements of one request, the way the test
suite pins them. Lists are counted at page sizes 1 and 50: a count that grows with the page is an
N+1 query. The cached operations are counted on a cache miss and on hits; the uncached ones on
an app built with the response cache off, as their server runs. The Authlib peer's statements
are counted by a SQLAlchemy listener on its engine.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy import event
from tortoise import Tortoise

from bench import authlib_peer
from bench.processes import RESPONSE_CACHE_OFF
from bench.scenarios import AUTHLIB, OPERATIONS, SERVICE, UNCACHED, Operation
from devhub_gql.app import create_app
from devhub_gql.db import tortoise_config
from devhub_gql.observability import capture_statements
from devhub_gql.settings import Settings

PAGE_SIZES = (1, 50)
REPEATS = 5


# The environment each server of the service runs with, beyond the common one.
SERVER_ENV = {SERVICE: {}, UNCACHED: RESPONSE_CACHE_OFF}


@asynccontextmanager
async def in_process_client(
    database_url: str, env: dict[str, str] | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """The service's ASGI app on an open database, driven without a socket."""
    settings = Settings.from_env(
        {
            "DATABASE_URL": database_url,
            "DEVHUB_ENV": "development",
            "DEVHUB_LOG_LEVEL": "WARNING",
            **(env or {}),
        }
    )
    await Tortoise.init(config=tortoise_config(settings.database_url), _enable_global_fallback=True)
    try:
        app = create_app(settings, manage_database=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            yield client
    finally:
        await Tortoise.close_connections()


def with_page_size(request: dict[str, Any], first: int) -> dict[str, Any]:
    body = json.loads(request["body"])
    body["variables"]["first"] = first
    return {**request, "body": json.dumps(body)}


def is_list(operation: Operation) -> bool:
    body = operation.requests[0]["body"]
    return body.startswith("{") and "first" in json.loads(body).get("variables", {})


async def send(client: httpx.AsyncClient, request: dict[str, Any]) -> httpx.Response:
    response = await client.request(
        request.get("method", "POST"),
        request["path"],
        headers=dict(request.get("headers", [])),
        content=request.get("body", "").encode(),
    )
    if response.status_code != 200 or b'"errors"' in response.content:
        raise RuntimeError(f"{request['path']} answered {response.status_code}: {response.text}")
    return response


async def _average(client: httpx.AsyncClient, request: dict[str, Any]) -> float:
    with capture_statements() as counter:
        for _ in range(REPEATS):
            await send(client, request)
    return len(counter.statements) / REPEATS


async def count_operation(client: httpx.AsyncClient, operation: Operation) -> dict[str, float]:
    counts: dict[str, float] = {}
    sizes = PAGE_SIZES if is_list(operation) else (None,)
    for first in sizes:
        request = operation.requests[0]
        label = "per request" if first is None else f"first={first}"
        if first is not None:
            request = with_page_size(request, first)
        if operation.count_header:  # the cached operation: one miss, then hits
            with capture_statements() as counter:
                await send(client, request)
            counts[f"miss {label}"] = len(counter.statements)
        else:
            await send(client, request)  # warm: loaders, caches, the listing version
        counts[label] = await _average(client, request)
    return counts


# Cacheable, so it makes the response cache read the marketplace version (once a second at most)
# before counting: the misses counted then cost the same at every page size.
VERSION_CHECK = {
    "path": "/graphql",
    "headers": [("content-type", "application/json")],
    "body": json.dumps({"query": "{ categories { slug } }"}),
}


async def count_all(database_url: str) -> dict[str, dict[str, float]]:
    counts: dict[str, dict[str, float]] = {}
    for server, env in SERVER_ENV.items():
        async with in_process_client(database_url, env) as client:
            await send(client, VERSION_CHECK)
            for operation in OPERATIONS:
                if operation.server == server:
                    counts[operation.name] = await count_operation(client, operation)
    counts.update(await count_authlib(database_url))
    return {
        operation.name: counts[operation.name]
        for operation in OPERATIONS
        if operation.name in counts
    }


async def count_authlib(database_url: str) -> dict[str, dict[str, float]]:
    """The peer's statements per request, from its engine's cursor events."""
    engine = authlib_peer.open_engine(database_url)
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    app = authlib_peer.create_app(engine)
    transport = httpx.ASGITransport(app=app)
    counts = {}
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            for operation in OPERATIONS:
                if operation.server != AUTHLIB:
                    continue
                await send(client, operation.requests[0])
                statements.clear()
                for _ in range(REPEATS):
                    await send(client, operation.requests[0])
                counts[operation.name] = {"per request": len(statements) / REPEATS}
    finally:
        engine.dispose()
    return counts
