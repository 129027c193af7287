"""The token, revocation and introspection endpoints as an app's back end calls them."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.oauth.support import (
    ClientApp,
    basic,
    code_for,
    exchange,
    install,
    introspect,
    live_private_app,
    token_request,
)
from tests.support import GraphQLClient, sign_up

ROTATE = """
mutation R($id: ID!, $hours: Int!) {
  rotateClientSecret(input: {id: $id, gracePeriodHours: $hours}) { clientSecret }
}
"""


@pytest.fixture
async def developer(gql: GraphQLClient):
    return await sign_up(gql, "dev@example.com")


@pytest.fixture
async def customer(gql: GraphQLClient):
    return await sign_up(gql, "buyer@example.com", kind="PRODUCTION", company="Buyer Co")


@pytest.fixture
async def app(gql: GraphQLClient, developer, receiver) -> ClientApp:
    return await live_private_app(gql, developer, f"{receiver.url}/callback")


def oauth_error(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["error"], body.get("error_description", "")


async def test_code_exchange_returns_the_documented_token_response(
    gql: GraphQLClient, http: httpx.AsyncClient, customer, app
):
    response = await exchange(http, app, await code_for(gql, customer, app))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {
        "access_token",
        "token_type",
        "refresh_token",
        "scope",
        "expires_in",
        "api_domain",
    }
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "base deals:read"
    assert body["api_domain"].startswith("https://company")


async def test_client_credentials_may_come_in_the_body(
    gql: GraphQLClient, http: httpx.AsyncClient, customer, app
):
    code = await code_for(gql, customer, app)
    response = await http.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": app.callback_url,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
        },
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("form", "headers", "expected"),
    [
        ({"grant_type": "password"}, "basic", (400, "unsupported_grant_type")),
        ({"code": "x"}, "basic", (400, "invalid_request")),
        ({"grant_type": "authorization_code", "code": "x"}, "wrong", (401, "invalid_client")),
        ({"grant_type": "authorization_code", "code": "x"}, "none", (401, "invalid_client")),
        ({"grant_type": "refresh_token", "refresh_token": "nope"}, "basic", (400, "invalid_grant")),
        ({"grant_type": "refresh_token"}, "basic", (400, "invalid_request")),
    ],
)
async def test_token_errors_follow_rfc_6749(http: httpx.AsyncClient, app, form, headers, expected):
    auth = {
        "basic": basic(app.client_id, app.client_secret),
        "wrong": basic(app.client_id, "dhcs_wrong"),
        "none": {},
    }[headers]
    response = await http.post("/oauth/token", data=form, headers=auth)
    status, error, _ = oauth_error(response)
    assert (status, error) == expected


async def test_a_refresh_cannot_widen_the_granted_scopes(
    gql: GraphQLClient, http: httpx.AsyncClient, customer, app
):
    tokens = await install(gql, http, customer, app)
    response = await token_request(
        http,
        app,
        grant_type="refresh_token",
        refresh_token=tokens["refresh_token"],
        scope="base deals:read admin",
    )
    assert oauth_error(response)[:2] == (400, "invalid_scope")


async def test_token_requests_must_be_form_encoded(http: httpx.AsyncClient, app):
    response = await http.post(
        "/oauth/token",
        json={"grant_type": "authorization_code"},
        headers=basic(app.client_id, app.client_secret),
    )
    assert oauth_error(response) == (
        400,
        "invalid_request",
        "content must be application/x-www-form-urlencoded",
    )


async def test_codes_expire_after_five_minutes(
    gql: GraphQLClient, http: httpx.AsyncClient, clock, customer, app
):
    code = await code_for(gql, customer, app)
    clock.advance(minutes=5, seconds=1)
    assert oauth_error(await exchange(http, app, code)) == (
        400,
        "invalid_grant",
        "authorization_code has expired",
    )


async def test_the_redirect_uri_must_match_the_one_of_the_code(
    gql: GraphQLClient, http: httpx.AsyncClient, customer, app
):
    code = await code_for(gql, customer, app)
    response = await token_request(
        http,
        app,
        grant_type="authorization_code",
        code=code,
        redirect_uri="https://elsewhere.example/cb",
    )
    assert oauth_error(response)[:2] == (400, "invalid_grant")


async def test_a_replayed_code_fails_and_revokes_what_it_produced(
    gql: GraphQLClient, http: httpx.AsyncClient, customer, app
):
    code = await code_for(gql, customer, app)
    tokens = (await exchange(http, app, code)).json()
    assert (await introspect(http, app, tokens["access_token"]))["active"] is True

    replay = await exchange(http, app, code)
    assert oauth_error(replay) == (400, "invalid_grant", "authorization_code is invalid")
    assert await introspect(http, app, tokens["access_token"]) == {"active": False}
    refresh = await token_request(
        http, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert oauth_error(refresh)[:2] == (400, "invalid_grant")


async def test_concurrent_exchanges_of_one_code_yield_one_token_pair(
    gql: GraphQLClient, http: httpx.AsyncClient, customer, app
):
    code = await code_for(gql, customer, app)
    responses = await asyncio.gather(*(exchange(http, app, code) for _ in range(3)))
    assert sorted(r.status_code for r in responses) == [200, 400, 400]


async def test_a_code_only_works_for_its_own_client(
    gql: GraphQLClient, http: httpx.AsyncClient, developer, customer, app, receiver
):
    other = await live_private_app(gql, developer, f"{receiver.url}/other")
    code = await code_for(gql, customer, app)
    response = await token_request(
        http, other, grant_type="authorization_code", code=code, redirect_uri=other.callback_url
    )
    assert oauth_error(response)[:2] == (400, "invalid_grant")


async def test_access_tokens_live_an_hour_and_refresh_tokens_sixty_days_since_last_use(
    gql: GraphQLClient, http: httpx.AsyncClient, clock, customer, app
):
    tokens = await install(gql, http, customer, app)
    clock.advance(minutes=59)
    assert (await introspect(http, app, tokens["access_token"]))["active"] is True
    clock.advance(minutes=2)
    assert await introspect(http, app, tokens["access_token"]) == {"active": False}

    clock.advance(days=59)
    refreshed = await token_request(
        http, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refreshed.status_code == 200
    assert refreshed.json()["refresh_token"] == tokens["refresh_token"]  # not rotated
    assert refreshed.json()["access_token"] != tokens["access_token"]

    clock.advance(days=59)  # within 60 days of the last use
    again = await token_request(
        http, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert again.status_code == 200
    clock.advance(days=60, seconds=1)
    expired = await token_request(
        http, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert oauth_error(expired) == (400, "invalid_grant", "refresh_token is invalid")


async def test_a_rotated_secret_keeps_working_for_its_grace_period(
    gql: GraphQLClient, http: httpx.AsyncClient, clock, developer, customer, app
):
    tokens = await install(gql, http, customer, app)
    rotated = await gql.data(ROTATE, {"id": app.id, "hours": 2}, token=developer.token)
    new_secret = rotated["rotateClientSecret"]["clientSecret"]
    refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}

    for secret in (app.client_secret, new_secret):
        response = await http.post(
            "/oauth/token", data=refresh, headers=basic(app.client_id, secret)
        )
        assert response.status_code == 200
    clock.advance(hours=2)
    old = await http.post(
        "/oauth/token", data=refresh, headers=basic(app.client_id, app.client_secret)
    )
    assert oauth_error(old)[:2] == (401, "invalid_client")
    new = await http.post("/oauth/token", data=refresh, headers=basic(app.client_id, new_secret))
    assert new.status_code == 200


async def test_revoking_an_access_token_leaves_the_app_installed(
    gql: GraphQLClient, http: httpx.AsyncClient, customer, app
):
    tokens = await install(gql, http, customer, app)
    response = await token_request(
        http, app, "/oauth/revoke", token=tokens["access_token"], token_type_hint="access_token"
    )
    assert response.status_code == 200
    assert await introspect(http, app, tokens["access_token"]) == {"active": False}
    refreshed = await token_request(
        http, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refreshed.status_code == 200


async def test_revoking_the_refresh_token_uninstalls(
    gql: GraphQLClient, http: httpx.AsyncClient, customer, app
):
    tokens = await install(gql, http, customer, app)
    # The hint is only a hint: a wrong one still finds the token.
    response = await token_request(
        http, app, "/oauth/revoke", token=tokens["refresh_token"], token_type_hint="access_token"
    )
    assert response.status_code == 200
    for token in (tokens["access_token"], tokens["refresh_token"]):
        assert await introspect(http, app, token) == {"active": False}
    installations = await gql.data(
        "{ installations(includeUninstalled: true) { edges { node { uninstalledAt } } } }",
        token=customer.token,
    )
    assert installations["installations"]["edges"][0]["node"]["uninstalledAt"] is not None
    unknown = await token_request(http, app, "/oauth/revoke", token="dhrt_unknown")
    assert unknown.status_code == 200  # RFC 7009: the same answer for unknown tokens


async def test_one_app_cannot_revoke_or_introspect_another_apps_tokens(
    gql: GraphQLClient, http: httpx.AsyncClient, developer, customer, app, receiver
):
    tokens = await install(gql, http, customer, app)
    other = await live_private_app(gql, developer, f"{receiver.url}/other")
    assert await introspect(http, other, tokens["access_token"]) == {"active": False}
    await token_request(http, other, "/oauth/revoke", token=tokens["refresh_token"])
    assert (await introspect(http, app, tokens["access_token"]))["active"] is True


async def test_introspection_describes_active_tokens(
    gql: GraphQLClient, http: httpx.AsyncClient, customer, app
):
    tokens = await install(gql, http, customer, app)
    claims = await introspect(http, app, tokens["access_token"])
    assert claims["active"] is True
    assert claims["client_id"] == app.client_id
    assert claims["scope"] == "base deals:read"
    assert claims["token_type"] == "Bearer"  # RFC 7662: the RFC 6749 token type
    assert claims["exp"] - claims["iat"] == 3600
    refresh = await introspect(http, app, tokens["refresh_token"])
    assert refresh["active"] is True and refresh["scope"] == "base deals:read"
    assert "token_type" not in refresh  # no bearer credential: never taken for an access token
    unauthenticated = await http.post("/oauth/introspect", data={"token": tokens["access_token"]})
    assert unauthenticated.status_code == 401


async def test_metadata_describes_the_endpoints(http: httpx.AsyncClient):
    response = await http.get("/.well-known/oauth-authorization-server")
    body = response.json()
    assert body["token_endpoint"].endswith("/oauth/token")
    assert body["authorization_endpoint"].endswith("/oauth/authorize")
    assert body["revocation_endpoint"].endswith("/oauth/revoke")
    assert body["introspection_endpoint"].endswith("/oauth/introspect")
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert body["grant_types_supported"] == ["authorization_code", "refresh_token"]
