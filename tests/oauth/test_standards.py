"""The OAuth edges as the RFCs draw them: dead tokens, PKCE downgrades, redirect_uri binding,
client challenges, introspection's token type."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from devhub_gql.clock import ManualClock
from devhub_gql.models import Installation, OutboxMessage
from tests.oauth.support import (
    APPROVE_AUTHORIZATION,
    ClientApp,
    basic,
    code_for,
    exchange,
    install,
    introspect,
    live_private_app,
    query_of,
    token_request,
)
from tests.support import Account, GraphQLClient, sign_up

UNINSTALL = """
mutation U($id: ID!) { uninstallApp(input: {installationId: $id}) { userErrors { code } } }
"""
INSTALLATIONS = "{ installations { edges { node { id uninstalledAt } } } }"


@pytest.fixture
async def developer(gql: GraphQLClient) -> Account:
    return await sign_up(gql, "dev@example.com")


@pytest.fixture
async def customer(gql: GraphQLClient) -> Account:
    return await sign_up(gql, "buyer@example.com", kind="PRODUCTION", company="Buyer Co")


@pytest.fixture
async def app(gql: GraphQLClient, developer: Account, receiver) -> ClientApp:
    return await live_private_app(gql, developer, f"{receiver.url}/callback")


@dataclass
class World:
    gql: GraphQLClient
    http: httpx.AsyncClient
    clock: ManualClock
    customer: Account
    app: ClientApp


async def replaced_by_a_reinstall(world: World) -> dict[str, Any]:
    old = await install(world.gql, world.http, world.customer, world.app)
    await install(world.gql, world.http, world.customer, world.app)
    return old


async def killed_by_a_code_replay(world: World) -> dict[str, Any]:
    code = await code_for(world.gql, world.customer, world.app)
    old = (await exchange(world.http, world.app, code)).json()
    assert (await exchange(world.http, world.app, code)).status_code == 400  # the replay
    await install(world.gql, world.http, world.customer, world.app)
    return old


async def expired(world: World) -> dict[str, Any]:
    old = await install(world.gql, world.http, world.customer, world.app)
    world.clock.advance(days=61)  # past the refresh token's 60 idle days (and the access hour)
    return old


async def of_an_uninstalled_installation(world: World) -> dict[str, Any]:
    old = await install(world.gql, world.http, world.customer, world.app)
    listed = await world.gql.data(INSTALLATIONS, token=world.customer.token)
    installation = listed["installations"]["edges"][0]["node"]["id"]
    await world.gql.data(UNINSTALL, {"id": installation}, token=world.customer.token)
    return old


DEAD_TOKENS: dict[str, Callable[[World], Awaitable[dict[str, Any]]]] = {
    "replaced by a re-install": replaced_by_a_reinstall,
    "killed by a code replay": killed_by_a_code_replay,
    "expired": expired,
    "of an uninstalled installation": of_an_uninstalled_installation,
}


async def observable_state(world: World) -> tuple[int, int]:
    """Installed installations and uninstall notices (read directly: sessions expire too)."""
    return (
        await Installation.filter(uninstalled_at=None).count(),
        await OutboxMessage.all().count(),
    )


@pytest.mark.parametrize("make_dead", DEAD_TOKENS.values(), ids=DEAD_TOKENS.keys())
@pytest.mark.parametrize("kind", ["refresh_token", "access_token"])
@pytest.mark.parametrize("hint", [None, "refresh_token", "access_token"])
async def test_a_dead_token_is_inert_everywhere(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    clock: ManualClock,
    customer: Account,
    app: ClientApp,
    make_dead,
    kind: str,
    hint: str | None,
):
    world = World(gql, http, clock, customer, app)
    dead = (await make_dead(world))[kind]
    before = await observable_state(world)

    form = {"token": dead, **({"token_type_hint": hint} if hint else {})}
    revoked = await token_request(http, app, "/oauth/revoke", **form)
    assert revoked.status_code == 200
    assert await observable_state(world) == before  # no uninstall, no notice
    assert await introspect(http, app, dead) == {"active": False}
    refreshed = await token_request(http, app, grant_type="refresh_token", refresh_token=dead)
    assert (refreshed.status_code, refreshed.json()["error"]) == (400, "invalid_grant")


async def test_revoking_a_live_refresh_token_still_uninstalls(
    gql: GraphQLClient, http: httpx.AsyncClient, clock: ManualClock, customer: Account, app
):
    world = World(gql, http, clock, customer, app)
    await replaced_by_a_reinstall(world)
    current = await install(gql, http, customer, app)
    response = await token_request(http, app, "/oauth/revoke", token=current["refresh_token"])
    assert response.status_code == 200
    assert await observable_state(world) == (0, 1)


async def test_pkce_cannot_be_downgraded(
    gql: GraphQLClient, http: httpx.AsyncClient, customer: Account, app: ClientApp
):
    # A code issued without a challenge refuses a verifier (RFC 9700 §2.1.1) ...
    plain_code = await code_for(gql, customer, app)
    smuggled = await exchange(http, app, plain_code, code_verifier="v" * 50)
    assert (smuggled.status_code, smuggled.json()["error"]) == (400, "invalid_grant")
    # ... and a code issued with one refuses an exchange without it.
    verifier = "w" * 50
    challenge = "Gh3faLGEJjqh4DMByhG9hl3jMWdIN6Yhz3JiOQfe8lc"  # S256 of the verifier above
    protected = await code_for(
        gql, customer, app, codeChallenge=challenge, codeChallengeMethod="S256"
    )
    missing = await exchange(http, app, protected)
    assert missing.status_code == 400
    assert missing.json()["error"] in ("invalid_request", "invalid_grant")

    protected = await code_for(
        gql, customer, app, codeChallenge=challenge, codeChallengeMethod="S256"
    )
    assert (await exchange(http, app, protected, code_verifier=verifier)).status_code == 200


async def test_a_named_redirect_uri_must_be_repeated_at_the_token_endpoint(
    gql: GraphQLClient, http: httpx.AsyncClient, customer: Account, app: ClientApp
):
    code = await code_for(gql, customer, app)
    without = await token_request(http, app, grant_type="authorization_code", code=code)
    assert (without.status_code, without.json()["error"]) == (400, "invalid_grant")
    code = await code_for(gql, customer, app)
    other = await token_request(
        http, app, grant_type="authorization_code", code=code, redirect_uri=f"{app.callback_url}x"
    )
    assert (other.status_code, other.json()["error"]) == (400, "invalid_grant")


async def test_an_authorize_request_without_redirect_uri_uses_the_callback(
    gql: GraphQLClient, http: httpx.AsyncClient, customer: Account, app: ClientApp
):
    authorized = await http.get("/oauth/authorize", params={"client_id": app.client_id})
    assert authorized.status_code == 302
    consent = query_of(authorized.headers["location"])
    assert consent == {"client_id": app.client_id, "response_type": "code"}

    approved = await gql.data(
        APPROVE_AUTHORIZATION, {"input": {"clientId": app.client_id}}, token=customer.token
    )
    redirect = approved["approveAuthorization"]["redirectUrl"]
    assert redirect.startswith(f"{app.callback_url}?")
    code = query_of(redirect)["code"]
    # Not named at authorize, so not required; when given, it must be the callback.
    response = await token_request(http, app, grant_type="authorization_code", code=code)
    assert response.status_code == 200, response.text

    again = await gql.data(
        APPROVE_AUTHORIZATION, {"input": {"clientId": app.client_id}}, token=customer.token
    )
    code = query_of(again["approveAuthorization"]["redirectUrl"])["code"]
    assert (await exchange(http, app, code)).status_code == 200


@pytest.mark.parametrize("path", ["/oauth/token", "/oauth/revoke", "/oauth/introspect"])
async def test_a_failed_client_authentication_challenges_with_basic(
    http: httpx.AsyncClient, app: ClientApp, path: str
):
    form = {"grant_type": "refresh_token", "refresh_token": "x", "token": "x"}
    for headers, data in (
        (basic(app.client_id, "wrong secret"), form),
        ({}, {**form, "client_id": app.client_id, "client_secret": "wrong secret"}),
    ):
        response = await http.post(path, data=data, headers=headers)
        assert response.status_code == 401, response.text
        assert response.json()["error"] == "invalid_client"
        assert response.headers["www-authenticate"].startswith('Basic realm="')
