"""When an app's scopes change, users keep what they granted: `X:full` covers `X:read`, only a
scope the app newly asks for beyond a user's grant needs their consent, and a dropped scope is
gone at once, from introspection as from the next refresh."""

from __future__ import annotations

import httpx
import pytest

from tests.oauth.support import (
    UPDATE_SCOPES,
    ClientApp,
    code_for,
    exchange,
    install,
    introspect,
    live_private_app,
    token_request,
)
from tests.support import (
    STATUS_MUTATIONS,
    Account,
    GraphQLClient,
    approve,
    make_reviewer,
    published_app,
    sign_up,
    submit,
)

INSTALLATION = "{ installations { nodes { needsReauthorization scopes { name } } } }"


@pytest.fixture
async def developer(gql: GraphQLClient) -> Account:
    return await sign_up(gql, "dev@example.com")


@pytest.fixture
async def customer(gql: GraphQLClient) -> Account:
    return await sign_up(gql, "buyer@example.com", kind="PRODUCTION", company="Buyer Co")


async def rescope(gql: GraphQLClient, developer: Account, app: ClientApp, scopes: list[str]):
    result = await gql.data(UPDATE_SCOPES, {"id": app.id, "scopes": scopes}, token=developer.token)
    assert result["updateApp"]["userErrors"] == []


async def refreshed_scope(http: httpx.AsyncClient, app: ClientApp, refresh_token: str) -> str:
    response = await token_request(
        http, app, grant_type="refresh_token", refresh_token=refresh_token
    )
    assert response.status_code == 200, response.text
    return response.json()["scope"]


async def installation(gql: GraphQLClient, user: Account) -> dict:
    return (await gql.data(INSTALLATION, token=user.token))["installations"]["nodes"][0]


async def test_a_published_apps_read_to_full_revision_keeps_read_for_every_user(
    gql: GraphQLClient, http: httpx.AsyncClient, backoffice: GraphQLClient, developer, customer
):
    reviewer = await make_reviewer(gql)
    app_id = await published_app(gql, backoffice, developer, reviewer)
    found = await gql.data(
        "query A($id: ID!) { app(id: $id) { clientId callbackUrl } }",
        {"id": app_id},
        token=developer.token,
    )
    secret = (
        await gql.data(
            "mutation R($id: ID!) { rotateClientSecret(input: {id: $id}) { clientSecret } }",
            {"id": app_id},
            token=developer.token,
        )
    )["rotateClientSecret"]["clientSecret"]
    app = ClientApp(app_id, found["app"]["clientId"], secret, found["app"]["callbackUrl"])
    tokens = await install(gql, http, customer, app)
    assert tokens["scope"] == "base deals:read"

    await rescope(gql, developer, app, ["base", "deals:full"])  # staged in a revision
    submitted = await submit(gql, developer, app_id)
    assert (await approve(backoffice, reviewer, submitted["submission"]["id"]))["userErrors"] == []
    merged = await gql.data(
        STATUS_MUTATIONS["mergePendingRevision"], {"id": app_id}, token=developer.token
    )
    assert merged["mergePendingRevision"]["userErrors"] == []

    assert (await installation(gql, customer))["needsReauthorization"] is True
    assert await introspect(http, app, tokens["access_token"]) == {"active": False}
    assert await refreshed_scope(http, app, tokens["refresh_token"]) == "base deals:read"
    again = await install(gql, http, customer, app)
    assert again["scope"] == "base deals:full"
    assert (await installation(gql, customer))["needsReauthorization"] is False


async def test_going_back_from_full_to_read_asks_nobody_and_keeps_read(
    gql: GraphQLClient, http: httpx.AsyncClient, developer, customer, receiver
):
    app = await live_private_app(gql, developer, f"{receiver.url}/cb", ["base", "deals:full"])
    tokens = await install(gql, http, customer, app)
    await rescope(gql, developer, app, ["base", "deals:read"])

    assert (await installation(gql, customer))["needsReauthorization"] is False
    claims = await introspect(http, app, tokens["access_token"])
    assert claims["active"] is True and claims["scope"] == "base deals:read"
    assert await refreshed_scope(http, app, tokens["refresh_token"]) == "base deals:read"


async def test_a_consent_given_before_scopes_grew_needs_reauthorization_once_exchanged(
    gql: GraphQLClient, http: httpx.AsyncClient, developer, customer, receiver
):
    app = await live_private_app(gql, developer, f"{receiver.url}/cb")
    code = await code_for(gql, customer, app)
    await rescope(gql, developer, app, ["base", "deals:read", "contacts:read"])
    exchanged = await exchange(http, app, code)
    assert exchanged.json()["scope"] == "base deals:read"  # what the user consented to
    shown = await installation(gql, customer)
    assert shown["needsReauthorization"] is True
    assert [scope["name"] for scope in shown["scopes"]] == ["base", "deals:read"]


async def test_a_dropped_scope_leaves_introspection_at_once(
    gql: GraphQLClient, http: httpx.AsyncClient, developer, customer, receiver
):
    app = await live_private_app(
        gql, developer, f"{receiver.url}/cb", ["base", "deals:read", "contacts:read"]
    )
    tokens = await install(gql, http, customer, app)
    await rescope(gql, developer, app, ["base", "deals:read"])
    claims = await introspect(http, app, tokens["access_token"])
    assert claims["active"] is True and claims["scope"] == "base deals:read"
    assert (await installation(gql, customer))["needsReauthorization"] is False
