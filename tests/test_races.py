"""Races over one installation or one app: each order of the two requests has one outcome.

The orders are produced, not hoped for:

- one request after the other, on either database: the outcome of each order is exact;
- in flight together, on PostgreSQL (a connection and a transaction per request): a transaction of
  the test's own holds the contended row (the installation, or the app) FOR UPDATE, the two
  requests start one after the other and each is seen waiting for that lock (pg_stat_activity)
  before the next starts, then the row is released. PostgreSQL grants a row lock in the order its
  waiters queued, so the first request runs to its commit and the second carries on from there,
  against what the first committed: again one exact outcome per order;
- free-running rounds on PostgreSQL, whatever order happens: the outcome must be one of those
  and consistent with the database.

SQLite has one connection whose transactions never overlap: only the sequential orders apply.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

import asyncpg
import httpx
import pytest

from devhub_gql.models import AccessToken, App, Installation, RefreshToken
from tests.oauth.support import (
    ClientApp,
    code_for,
    exchange,
    install,
    introspect,
    live_private_app,
    token_request,
)
from tests.support import DELETE_APP, Account, GraphQLClient, sign_up

UNINSTALL = """
mutation U($id: ID!) { uninstallApp(input: {installationId: $id}) { userErrors { code } } }
"""
NEEDS_POSTGRES = "requests in flight together need PostgreSQL: set DEVHUB_TEST_DATABASE_URL"


@pytest.fixture
async def developer(gql: GraphQLClient):
    return await sign_up(gql, "dev@example.com")


@pytest.fixture
async def customer(gql: GraphQLClient):
    return await sign_up(gql, "buyer@example.com", kind="PRODUCTION", company="Buyer")


@pytest.fixture
def postgres(database_url: str) -> str:
    if not database_url.startswith("postgres"):
        pytest.skip(NEEDS_POSTGRES)
    return database_url.replace("postgres://", "postgresql://", 1)


async def orphan_tokens() -> list[str]:
    """Active tokens whose installation is uninstalled or whose app is deleted."""
    orphans = []
    for model in (AccessToken, RefreshToken):
        rows = await model.filter(revoked_at=None).select_related("installation")
        for row in rows:
            app = await App.get(id=row.installation.app_id)
            if row.installation.uninstalled_at is not None or app.deleted_at is not None:
                orphans.append(f"{model.__name__} {row.id}")
    return orphans


def oauth_error(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json().get("error")


class RowLock:
    """A transaction of the test's own holding one row FOR UPDATE; requests queue behind it."""

    def __init__(self, url: str, table: str, row_id: int) -> None:
        self.url, self.table, self.row_id = url, table, row_id

    async def __aenter__(self) -> RowLock:
        self.holder = await asyncpg.connect(self.url)
        self.watcher = await asyncpg.connect(self.url)  # outside any transaction: fresh stats
        self.transaction = self.holder.transaction()
        await self.transaction.start()
        locked = await self.holder.fetchval(
            f'SELECT id FROM "{self.table}" WHERE id = $1 FOR UPDATE', self.row_id
        )
        assert locked == self.row_id
        self.tasks: list[asyncio.Task] = []
        self.released = False
        return self

    async def waiting(self) -> int:
        """Backends of this database waiting for a lock (all of them wait for ours)."""
        return await self.watcher.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock'"
        )

    async def queue(self, request: Awaitable[Any], what: str) -> asyncio.Task:
        """Start the request and return once it waits for the row (it must not get past it)."""
        task = asyncio.ensure_future(request)
        self.tasks.append(task)
        deadline = time.monotonic() + 10
        while await self.waiting() < len(self.tasks):
            assert not task.done(), f"{what} finished without waiting for the {self.table} row"
            assert time.monotonic() < deadline, f"{what} never waited for the {self.table} row"
            await asyncio.sleep(0.01)  # polling for the other connection's state, not for time
        return task

    async def release(self) -> None:
        await self.transaction.rollback()
        self.released = True

    async def in_order(self, first: str, requests: dict[str, Awaitable[Any]]) -> dict[str, Any]:
        """Queue the requests behind the row, `first` first and the others after it, release it
        and wait for them all: their results by name."""
        names = [first, *(name for name in requests if name != first)]
        tasks = [await self.queue(requests[name], f"the {name}") for name in names]
        await self.release()
        return dict(zip(names, await asyncio.gather(*tasks), strict=True))

    async def __aexit__(self, *exc_info: object) -> None:
        if not self.released:
            await self.transaction.rollback()
        for task in self.tasks:
            if not task.done():
                task.cancel()
        await self.holder.close()
        await self.watcher.close()


# Refresh and uninstall ----------------------------------------------------------------------


async def installed(gql, http, developer: Account, customer: Account, receiver):
    """A live private app installed by the customer: (app, token response, installation row)."""
    app = await live_private_app(gql, developer, f"{receiver.url}/cb")
    tokens = await install(gql, http, customer, app)
    [installation] = await Installation.all()
    return app, tokens, installation


async def installation_node_id(gql: GraphQLClient, customer: Account) -> str:
    data = await gql.data("{ installations { edges { node { id } } } }", token=customer.token)
    [edge] = data["installations"]["edges"]
    return edge["node"]["id"]


def refresh(http: httpx.AsyncClient, app: ClientApp, tokens: dict) -> Awaitable[httpx.Response]:
    return token_request(
        http, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )


async def uninstall(gql: GraphQLClient, customer: Account, node_id: str) -> list:
    return (await gql.data(UNINSTALL, {"id": node_id}, token=customer.token))["uninstallApp"][
        "userErrors"
    ]


async def assert_refresh_won(http, app: ClientApp, tokens: dict, refreshed: httpx.Response):
    """The refresh committed first: it got a new access token, and the uninstall revoked it."""
    assert refreshed.status_code == 200, refreshed.text
    new_access = refreshed.json()["access_token"]
    assert new_access != tokens["access_token"]
    assert await AccessToken.all().count() == 2  # the install's and the refresh's
    assert await introspect(http, app, new_access) == {"active": False}


async def assert_uninstall_won(refreshed: httpx.Response):
    """The uninstall committed first: the refresh found no installation and issued nothing."""
    assert oauth_error(refreshed) == (400, "invalid_grant"), refreshed.text
    assert await AccessToken.all().count() == 1  # only the install's


async def assert_uninstalled_without_live_tokens(http, app: ClientApp, tokens: dict):
    assert await Installation.filter(uninstalled_at=None).count() == 0
    assert await orphan_tokens() == []
    for token in (tokens["access_token"], tokens["refresh_token"]):
        assert await introspect(http, app, token) == {"active": False}


async def test_parallel_refreshes_of_one_token_all_succeed(
    gql: GraphQLClient, http: httpx.AsyncClient, developer, customer, receiver
):
    app = await live_private_app(gql, developer, f"{receiver.url}/cb")
    tokens = await install(gql, http, customer, app)
    responses = await asyncio.gather(*(refresh(http, app, tokens) for _ in range(5)))
    assert [r.status_code for r in responses] == [200] * 5
    access_tokens = {r.json()["access_token"] for r in responses}
    assert len(access_tokens) == 5
    assert {r.json()["refresh_token"] for r in responses} == {tokens["refresh_token"]}
    for token in access_tokens:
        assert (await introspect(http, app, token))["active"] is True


async def test_a_refresh_then_an_uninstall_leaves_the_new_access_token_revoked(
    gql: GraphQLClient, http: httpx.AsyncClient, developer, customer, receiver
):
    app, tokens, _ = await installed(gql, http, developer, customer, receiver)
    node_id = await installation_node_id(gql, customer)
    refreshed = await refresh(http, app, tokens)
    assert await uninstall(gql, customer, node_id) == []
    await assert_refresh_won(http, app, tokens, refreshed)
    await assert_uninstalled_without_live_tokens(http, app, tokens)


async def test_a_refresh_after_an_uninstall_is_refused(
    gql: GraphQLClient, http: httpx.AsyncClient, developer, customer, receiver
):
    app, tokens, _ = await installed(gql, http, developer, customer, receiver)
    assert await uninstall(gql, customer, await installation_node_id(gql, customer)) == []
    await assert_uninstall_won(await refresh(http, app, tokens))
    await assert_uninstalled_without_live_tokens(http, app, tokens)


@pytest.mark.parametrize("first", ["refresh", "uninstall"])
async def test_a_refresh_and_an_uninstall_in_flight_together_end_as_their_order_says(
    postgres: str,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    developer,
    customer,
    receiver,
    first: str,
):
    app, tokens, installation = await installed(gql, http, developer, customer, receiver)
    node_id = await installation_node_id(gql, customer)
    async with RowLock(postgres, "installation", installation.id) as lock:
        done = await lock.in_order(
            first,
            {"refresh": refresh(http, app, tokens), "uninstall": uninstall(gql, customer, node_id)},
        )
    refreshed = done["refresh"]
    assert done["uninstall"] == []
    if first == "refresh":
        await assert_refresh_won(http, app, tokens, refreshed)
    else:
        await assert_uninstall_won(refreshed)
    await assert_uninstalled_without_live_tokens(http, app, tokens)


@pytest.mark.parametrize("round_", range(3))
async def test_a_free_running_refresh_and_uninstall_end_consistently(
    postgres: str,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    developer,
    customer,
    receiver,
    round_: int,
):
    app, tokens, _ = await installed(gql, http, developer, customer, receiver)
    node_id = await installation_node_id(gql, customer)
    refreshed, uninstall_errors = await asyncio.gather(
        refresh(http, app, tokens), uninstall(gql, customer, node_id)
    )
    assert uninstall_errors == []
    if refreshed.status_code == 200:
        await assert_refresh_won(http, app, tokens, refreshed)
    else:
        await assert_uninstall_won(refreshed)
    await assert_uninstalled_without_live_tokens(http, app, tokens)


@pytest.mark.parametrize("first", ["refresh", "reinstall"])
async def test_a_refresh_and_a_reinstall_in_flight_together_end_as_their_order_says(
    postgres: str,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    developer,
    customer,
    receiver,
    first: str,
):
    """A re-install revokes the earlier tokens but leaves the installation live: a refresh
    that read its token before the re-install committed must still be refused after it."""
    app, tokens, installation = await installed(gql, http, developer, customer, receiver)
    code = await code_for(gql, customer, app)  # the user allows again: a re-install
    async with RowLock(postgres, "installation", installation.id) as lock:
        done = await lock.in_order(
            first, {"refresh": refresh(http, app, tokens), "reinstall": exchange(http, app, code)}
        )
    refreshed, reinstalled = done["refresh"], done["reinstall"]
    assert reinstalled.status_code == 200, reinstalled.text
    if first == "refresh":  # issued, then revoked with the rest by the re-install
        assert refreshed.status_code == 200, refreshed.text
        assert await introspect(http, app, refreshed.json()["access_token"]) == {"active": False}
    else:
        assert oauth_error(refreshed) == (400, "invalid_grant"), refreshed.text
    for token in (tokens["access_token"], tokens["refresh_token"]):
        assert await introspect(http, app, token) == {"active": False}
    renewed = reinstalled.json()
    for token in (renewed["access_token"], renewed["refresh_token"]):
        assert (await introspect(http, app, token))["active"] is True
    assert await AccessToken.filter(revoked_at=None).count() == 1  # the re-install's


@pytest.mark.parametrize("first", ["uninstall", "reinstall"])
async def test_an_uninstall_and_a_reinstall_in_flight_together_end_as_their_order_says(
    postgres: str,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    developer,
    customer,
    receiver,
    first: str,
):
    """Both take the app's row and the installation's; in either order, neither deadlocks."""
    app, tokens, installation = await installed(gql, http, developer, customer, receiver)
    node_id = await installation_node_id(gql, customer)
    code = await code_for(gql, customer, app)  # the user allows again: a re-install
    async with RowLock(postgres, "installation", installation.id) as lock:
        done = await lock.in_order(
            first,
            {
                "uninstall": uninstall(gql, customer, node_id),
                "reinstall": exchange(http, app, code),
            },
        )
    reinstalled = done["reinstall"]
    assert done["uninstall"] == []
    assert reinstalled.status_code == 200, reinstalled.text
    renewed = reinstalled.json()
    [row] = await Installation.all()
    if first == "uninstall":  # uninstalled, then installed again by the exchange
        assert row.uninstalled_at is None
        assert (await introspect(http, app, renewed["access_token"]))["active"] is True
    else:  # re-installed, then uninstalled with every token
        assert row.uninstalled_at is not None
        await assert_uninstalled_without_live_tokens(http, app, renewed)
    for token in (tokens["access_token"], tokens["refresh_token"]):
        assert await introspect(http, app, token) == {"active": False}
    assert await orphan_tokens() == []


# Code exchange and app deletion -------------------------------------------------------------


async def delete(gql: GraphQLClient, developer: Account, app: ClientApp) -> list:
    data = await gql.data(DELETE_APP, {"id": app.id, "reason": "Race"}, token=developer.token)
    return data["deleteApp"]["userErrors"]


async def assert_exchange_won(exchanged: httpx.Response):
    """The exchange committed first: the user installed, and the deletion uninstalled them."""
    assert exchanged.status_code == 200, exchanged.text
    [installation] = await Installation.all()
    assert installation.uninstalled_at is not None
    assert await AccessToken.filter(revoked_at=None).count() == 0
    assert await RefreshToken.filter(revoked_at=None).count() == 0


async def assert_nothing_installed():
    assert await Installation.all().count() == 0
    assert await AccessToken.all().count() == 0


async def test_an_exchange_then_a_deletion_leaves_the_installation_uninstalled(
    gql: GraphQLClient, http: httpx.AsyncClient, developer, customer, receiver
):
    app = await live_private_app(gql, developer, f"{receiver.url}/cb")
    exchanged = await exchange(http, app, await code_for(gql, customer, app))
    assert await delete(gql, developer, app) == []
    await assert_exchange_won(exchanged)
    assert await orphan_tokens() == []


async def test_an_exchange_after_a_deletion_is_refused_as_an_unknown_client(
    gql: GraphQLClient, http: httpx.AsyncClient, developer, customer, receiver
):
    app = await live_private_app(gql, developer, f"{receiver.url}/cb")
    code = await code_for(gql, customer, app)
    assert await delete(gql, developer, app) == []
    exchanged = await exchange(http, app, code)
    assert oauth_error(exchanged) == (401, "invalid_client"), exchanged.text
    await assert_nothing_installed()


@pytest.mark.parametrize("first", ["exchange", "deletion"])
async def test_an_exchange_and_a_deletion_in_flight_together_end_as_their_order_says(
    postgres: str,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    developer,
    customer,
    receiver,
    first: str,
):
    app = await live_private_app(gql, developer, f"{receiver.url}/cb")
    code = await code_for(gql, customer, app)
    row = await App.get(client_id=app.client_id)
    async with RowLock(postgres, "app", row.id) as lock:
        done = await lock.in_order(
            first, {"exchange": exchange(http, app, code), "deletion": delete(gql, developer, app)}
        )
    exchanged = done["exchange"]
    assert done["deletion"] == []
    if first == "exchange":
        await assert_exchange_won(exchanged)
    else:
        # The exchange had authenticated the client before the deletion committed; the code's
        # app is gone when it gets the row.
        assert oauth_error(exchanged) == (400, "invalid_grant"), exchanged.text
        await assert_nothing_installed()
    assert await orphan_tokens() == []


@pytest.mark.parametrize("round_", range(3))
async def test_a_free_running_exchange_and_deletion_end_consistently(
    postgres: str,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    developer,
    customer,
    receiver,
    round_: int,
):
    app = await live_private_app(gql, developer, f"{receiver.url}/cb")
    code = await code_for(gql, customer, app)
    exchanged, delete_errors = await asyncio.gather(
        exchange(http, app, code), delete(gql, developer, app)
    )
    assert delete_errors == []
    if exchanged.status_code == 200:
        await assert_exchange_won(exchanged)
    else:
        # Refused at the client (the deletion committed before the exchange authenticated) or at
        # the code (after it authenticated, before it claimed the code).
        assert oauth_error(exchanged) in ((401, "invalid_client"), (400, "invalid_grant"))
        await assert_nothing_installed()
    assert await orphan_tokens() == []
