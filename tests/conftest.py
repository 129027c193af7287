"""Every test gets the real ASGI app over HTTP and a fresh database of its own.

SQLite by default (a file under the test's temporary directory); PostgreSQL when
DEVHUB_TEST_DATABASE_URL is set, e.g. postgres://postgres@127.0.0.1:5432/devhub_test: the run
creates a scratch database with a random suffix on that server, empties it before every test and
drops it at the end.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
import redis
from tortoise.context import TortoiseContext

from devhub_gql.app import Service, create_app
from devhub_gql.clock import ManualClock
from devhub_gql.db import tortoise_config
from devhub_gql.domain.catalog import sync_catalogues
from devhub_gql.settings import Settings
from tests.support import GraphQLClient, Receiver

TEST_DATABASE_ENV = "DEVHUB_TEST_DATABASE_URL"
REDIS_ENV = "DEVHUB_TEST_REDIS_URL"


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get(TEST_DATABASE_ENV)
    return (
        f"database: {url}"
        if url
        else "database: SQLite files (set DEVHUB_TEST_DATABASE_URL for PostgreSQL)"
    )


async def _on_server(server_url: str, statement: str) -> None:
    connection = await asyncpg.connect(server_url.replace("postgres://", "postgresql://", 1))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def scratch_postgres(url: str) -> Iterator[str]:
    """A new database on the server `url` names, dropped afterwards."""
    server, _, prefix = url.rpartition("/")
    name = f"{prefix or 'devhub_test'}_{uuid.uuid4().hex[:10]}"
    asyncio.run(_on_server(f"{server}/postgres", f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server}/{name}"
    finally:
        asyncio.run(_on_server(f"{server}/postgres", f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A scratch PostgreSQL database for the whole run, or None to use SQLite files."""
    url = os.environ.get(TEST_DATABASE_ENV)
    if not url:
        yield None
        return
    with scratch_postgres(url) as scratch:
        yield scratch


@pytest.fixture
def database_url(tmp_path: Path, postgres_url: str | None) -> str:
    return postgres_url or f"sqlite://{tmp_path / 'devhub.sqlite3'}"


_schemas_created: set[str] = set()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[TortoiseContext]:
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(database_url), _enable_global_fallback=True)
        if database_url in _schemas_created:
            tables = ", ".join(
                f'"{model._meta.db_table}"' for model in context.apps.get_models_iterable()
            )
            await context.db().execute_script(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        else:
            await context.generate_schemas(safe=False)
            if database_url.startswith("postgres"):
                _schemas_created.add(database_url)
        await sync_catalogues()
        yield context


@pytest.fixture
def clock() -> ManualClock:
    # Starts at the real time (receivers check webhook timestamps), then moves only when told.
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, env="development", allow_private_callbacks=True)


@pytest.fixture
def service(settings: Settings, clock: ManualClock, database: TortoiseContext) -> Service:
    return create_app(settings, clock=clock, manage_database=False)


@pytest.fixture
async def http(service: Service) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=service)
    async with httpx.AsyncClient(transport=transport, base_url="http://devhub.test") as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture
def backoffice(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http, path="/backoffice/graphql")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def redis_url() -> str:
    """The machine's Redis (DEVHUB_TEST_REDIS_URL, else 127.0.0.1:6379), or the test is skipped."""
    url = os.environ.get(REDIS_ENV, "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis answers at {url} ({exc}): set {REDIS_ENV} to run these")
    return url
