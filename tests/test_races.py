"""Races with real concurrency (requests in flight together): one consistent outcome each.

On PostgreSQL the requests run in parallel transactions; on SQLite they interleave on one
connection. Either way no active token may outlive its installation or its app.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from devhub_gql.models import AccessToken, App, Installation, RefreshToken
from tests.oauth.support import (
    code_for,
    exchange,
    install,
    introspect,
    live_private_app,
    token_request,
)
from tests.support import DELETE_APP, GraphQLClient, sign_up

UNINSTALL = """
mutation U($id: ID!) { uninstallApp(input: {installationId: $id}) { userErrors { code } } }
"""


@pytest.fixture
async def developer(gql: GraphQLClient):
    return await sign_up(gql, "dev@example.com")


@pytest.fixture
async def customer(gql: GraphQLClient):
    return await sign_up(gql, "buyer@example.com", kind="PRODUCTION", company="Buyer")


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


async def test_parallel_refreshes_of_one_token_all_succeed(
    gql: GraphQLClient, http: httpx.AsyncClient, developer, customer, receiver
):
    app = await live_private_app(gql, developer, f"{receiver.url}/cb")
    tokens = await install(gql, http, customer, app)
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    responses = await asyncio.gather(*(token_request(http, app, **form) for _ in range(5)))
    assert [r.status_code for r in responses] == [200] * 5
    access_tokens = {r.json()["access_token"] for r in responses}
    assert len(access_tokens) == 5
    assert {r.json()["refresh_token"] for r in responses} == {tokens["refresh_token"]}
    for token in access_tokens:
        assert (await introspect(http, app, token))["active"] is True


@pytest.mark.parametrize("round_", range(3))
async def test_uninstall_racing_a_refresh_leaves_no_active_token(
    gql: GraphQLClient, http: httpx.AsyncClient, developer, customer, receiver, round_
):
    app = await live_private_app(gql, developer, f"{receiver.url}/cb")
    tokens = await install(gql, http, customer, app)
    installation_id = (
        await gql.data("{ installations { edges { node { id } } } }", token=customer.token)
    )["installations"]["edges"][0]["node"]["id"]
    refresh, uninstall = await asyncio.gather(
        token_request(http, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"]),
        gql.data(UNINSTALL, {"id": installation_id}, token=customer.token),
    )
    assert uninstall["uninstallApp"]["userErrors"] == []
    assert refresh.status_code in (200, 400)
    if refresh.status_code == 200:
        assert await introspect(http, app, refresh.json()["access_token"]) == {"active": False}
    assert await orphan_tokens() == []
    assert await Installation.filter(uninstalled_at=None).count() == 0


@pytest.mark.parametrize("round_", range(3))
async def test_delete_racing_an_install_leaves_no_installed_user(
    gql: GraphQLClient, http: httpx.AsyncClient, developer, customer, receiver, round_
):
    app = await live_private_app(gql, developer, f"{receiver.url}/cb")
    code = await code_for(gql, customer, app)
    exchanged, deleted = await asyncio.gather(
        exchange(http, app, code),
        gql.data(DELETE_APP, {"id": app.id, "reason": "Race"}, token=developer.token),
    )
    assert deleted["deleteApp"]["userErrors"] == []
    assert exchanged.status_code in (200, 400, 401)
    assert await orphan_tokens() == []
    assert await Installation.filter(uninstalled_at=None).count() == 0
