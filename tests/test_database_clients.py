"""What each database's client costs a request beyond its statements.

On SQLite every statement runs on the event loop's own thread: no hand-off to a worker thread and
back per statement (each cost more CPU than the statement it carried). On PostgreSQL a statement
is one round trip: no reset query each time its pooled connection goes back to the pool.
"""

from __future__ import annotations

import threading

import httpx
import pytest
from tortoise import Tortoise

from tests.oauth.support import install, introspect, live_private_app, token_request
from tests.support import GraphQLClient, count_statements, create_app, sign_up

APP_NAME = "query AppName($id: ID!) { app(id: $id) { name } }"


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


async def test_each_statement_is_one_round_trip_to_postgresql(
    gql: GraphQLClient, database_url: str
):
    if not database_url.startswith("postgres"):
        pytest.skip("PostgreSQL only: the SQLite client has no pool")
    developer = await sign_up(gql, "dev@example.com")
    app = (await create_app(gql, developer))["app"]
    client = Tortoise.get_connection("default")
    pool = client._pool
    sent: list[str] = []
    # Every connection the pool may hand out, held at once so that each one is opened, logs what
    # it sends to the server from now on.
    held = [await pool.acquire() for _ in range(pool.get_max_size())]
    for connection in held:
        connection.add_query_logger(lambda query: sent.append(query.query))
    for connection in held:
        await pool.release(connection)
    sent.clear()
    with count_statements() as counted:
        data = await gql.data(APP_NAME, {"id": app["id"]}, token=developer.token)
    assert data["app"]["name"] == "Deal Sync"
    assert len(counted.statements) == 2  # the session, the app
    assert sent == counted.statements
