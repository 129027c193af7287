"""On SQLite every statement runs on the event loop's own thread: no hand-off to a worker thread
and back per statement (each cost more CPU than the statement it carried)."""

from __future__ import annotations

import threading

import httpx
import pytest
from tortoise import Tortoise

from tests.oauth.support import install, introspect, live_private_app, token_request
from tests.support import GraphQLClient, sign_up


async def test_statements_run_on_the_event_loops_thread(
    gql: GraphQLClient, http: httpx.AsyncClient, database_url: str, receiver
):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only: asyncpg speaks to PostgreSQL from the loop already")
    connection = Tortoise.get_connection("default")
    raw = connection._connection._conn  # the sqlite3 connection underneath
    threads: list[int] = []
    raw.set_trace_callback(lambda statement: threads.append(threading.get_ident()))
    try:
        developer = await sign_up(gql, "dev@example.com")
        customer = await sign_up(gql, "buyer@example.com", kind="PRODUCTION", company="Buyer")
        app = await live_private_app(gql, developer, f"{receiver.url}/callback")
        tokens = await install(gql, http, customer, app)
        refreshed = await token_request(
            http, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
        )
        assert refreshed.status_code == 200
        assert (await introspect(http, app, tokens["access_token"]))["active"] is True
    finally:
        raw.set_trace_callback(None)
    assert len(threads) > 20
    assert set(threads) == {threading.get_ident()}
