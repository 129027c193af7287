"""Abuse limits: rate limits on secret-guessing endpoints, CORS and browser security headers."""

from __future__ import annotations

import dataclasses

import httpx

from devhub_gql.app import create_app
from tests.oauth.support import basic, live_private_app
from tests.support import PASSWORD, GraphQLClient, sign_up

SIGN_IN = """
mutation S($input: SignInInput!) { signIn(input: $input) { session { token } userErrors { code } } }
"""


async def test_sign_in_is_rate_limited_per_ip_with_retry_after(
    gql: GraphQLClient, http: httpx.AsyncClient, clock
):
    await sign_up(gql, "dev@example.com")
    guess = {
        "query": SIGN_IN,
        "variables": {"input": {"email": "dev@example.com", "password": "x" * 10}},
    }
    for _ in range(10):
        response = await http.post("/graphql", json=guess)
        assert response.status_code == 200
        assert response.json()["data"]["signIn"]["userErrors"] == [{"code": "INVALID_CREDENTIALS"}]
    limited = await http.post("/graphql", json=guess)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    right = {
        "query": SIGN_IN,
        "variables": {"input": {"email": "dev@example.com", "password": PASSWORD}},
    }
    assert (await http.post("/graphql", json=right)).status_code == 429  # even the right password

    clock.advance(seconds=61)
    allowed = await http.post("/graphql", json=right)
    assert allowed.json()["data"]["signIn"]["session"]["token"]


async def test_the_token_endpoint_is_rate_limited_per_client(
    gql: GraphQLClient, settings, clock, database, receiver
):
    strict = dataclasses.replace(settings, token_limit_per_minute=3)
    transport = httpx.ASGITransport(app=create_app(strict, clock=clock, manage_database=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        local = GraphQLClient(http)
        developer = await sign_up(local, "dev@example.com")
        app = await live_private_app(local, developer, f"{receiver.url}/cb")
        form = {"grant_type": "refresh_token", "refresh_token": "dhrt_guess"}
        statuses = [
            (
                await http.post(
                    "/oauth/token", data=form, headers=basic(app.client_id, app.client_secret)
                )
            ).status_code
            for _ in range(4)
        ]
        assert statuses == [400, 400, 400, 429]
        limited = await http.post("/oauth/token", data=form, headers=basic(app.client_id, "x"))
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert limited.json()["error"] == "temporarily_unavailable"
        clock.advance(minutes=1)
        again = await http.post(
            "/oauth/token", data=form, headers=basic(app.client_id, app.client_secret)
        )
        assert again.status_code == 400


async def test_cors_allows_only_the_configured_origins(settings, clock, database):
    configured = dataclasses.replace(settings, cors_origins=("https://hub.example",))
    transport = httpx.ASGITransport(app=create_app(configured, clock=clock, manage_database=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        preflight = {
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type",
        }
        allowed = await http.options(
            "/graphql", headers={"origin": "https://hub.example", **preflight}
        )
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://hub.example"
        refused = await http.options(
            "/graphql", headers={"origin": "https://evil.example", **preflight}
        )
        assert "access-control-allow-origin" not in refused.headers
        simple = await http.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in simple.headers


async def test_responses_carry_security_headers(http: httpx.AsyncClient):
    for response in (
        await http.post("/graphql", json={"query": "{ __typename }"}),
        await http.get("/oauth/consent"),
        await http.get("/.well-known/oauth-authorization-server"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
    consent = await http.get("/oauth/consent")
    policy = consent.headers["content-security-policy"]
    assert "script-src 'sha256-" in policy and "unsafe-inline" not in policy


async def test_overlong_lookup_values_are_client_errors_not_crashes(
    gql: GraphQLClient, http: httpx.AsyncClient
):
    # Found by the fuzzer: a value longer than its column made the ORM raise.
    developer = await sign_up(gql, "dev@example.com")
    long = "x" * 5000
    approve = await gql.data(
        "mutation A($i: AuthorizationInput!) { approveAuthorization(input: $i)"
        " { redirectUrl userErrors { code } } }",
        {"i": {"clientId": long, "redirectUri": long}},
        token=developer.token,
    )
    assert approve["approveAuthorization"]["userErrors"] == [
        {"code": "INVALID_AUTHORIZATION_REQUEST"}
    ]
    by_slug = "query S($slug: String) { marketplaceApp(slug: $slug) { id } }"
    assert await gql.error_code(by_slug, {"slug": long}) == "NOT_FOUND"
    by_category = "query C($c: String) { marketplaceApps(category: $c) { edges { cursor } } }"
    assert await gql.error_code(by_category, {"c": long}) == "BAD_USER_INPUT"
    token = await http.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": "x"},
        auth=(long, "secret"),
    )
    assert token.status_code == 401 and token.json()["error"] == "invalid_client"
