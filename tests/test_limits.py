"""Abuse limits: rate limits on secret-guessing endpoints, CORS and browser security headers."""

from __future__ import annotations

import dataclasses

import httpx

from devhub_gql.app import create_app
from tests.oauth.support import ClientApp, basic, install, live_private_app
from tests.support import PASSWORD, GraphQLClient, sign_up

SIGN_IN = """
mutation S($input: SignInInput!) { signIn(input: $input) { session { token } userErrors { code } } }
"""


def client_at(service, address: str) -> httpx.AsyncClient:
    """The service as seen from one client address."""
    transport = httpx.ASGITransport(app=service, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://t")


def sign_in_as(email: str, password: str) -> dict:
    return {"query": SIGN_IN, "variables": {"input": {"email": email, "password": password}}}


async def test_failed_sign_ins_are_limited_per_address_and_per_account(
    gql: GraphQLClient, service, clock
):
    await sign_up(gql, "dev@example.com")
    await sign_up(gql, "other@example.com")
    async with (
        client_at(service, "198.51.100.7") as first,
        client_at(service, "203.0.113.9") as second,
    ):
        guess = sign_in_as("dev@example.com", "x" * 10)
        for _ in range(10):
            response = await first.post("/graphql", json=guess)
            assert response.json()["data"]["signIn"]["userErrors"] == [
                {"code": "INVALID_CREDENTIALS"}
            ]
        limited = await first.post("/graphql", json=guess)
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        right = sign_in_as("dev@example.com", PASSWORD)
        assert (await first.post("/graphql", json=right)).status_code == 429  # even the right one

        # The account is guarded from every address; another account from a fresh address is not.
        assert (await second.post("/graphql", json=right)).status_code == 429
        other = await second.post("/graphql", json=sign_in_as("other@example.com", PASSWORD))
        assert other.json()["data"]["signIn"]["session"]["token"]

        clock.advance(seconds=61)
        allowed = await first.post("/graphql", json=right)
        assert allowed.json()["data"]["signIn"]["session"]["token"]


async def test_signing_in_often_is_not_guessing(gql: GraphQLClient, http: httpx.AsyncClient):
    await sign_up(gql, "dev@example.com")
    right = sign_in_as("dev@example.com", PASSWORD)
    for _ in range(25):  # more than ten sign-ins a minute from one address, every one right
        response = await http.post("/graphql", json=right)
        assert response.json()["data"]["signIn"]["session"]["token"]


async def _refresh_client(http: httpx.AsyncClient, receiver) -> tuple[ClientApp, str]:
    local = GraphQLClient(http)
    developer = await sign_up(local, "dev@example.com")
    customer = await sign_up(local, "buyer@example.com", kind="PRODUCTION", company="Buyer")
    app = await live_private_app(local, developer, f"{receiver.url}/cb")
    return app, (await install(local, http, customer, app))["refresh_token"]


async def test_the_token_endpoint_counts_failed_grants_not_refreshes(
    settings, clock, database, receiver
):
    strict = dataclasses.replace(settings, token_failure_limit_per_minute=3)
    async with client_at(
        create_app(strict, clock=clock, manage_database=False), "192.0.2.1"
    ) as http:
        app, refresh_token = await _refresh_client(http, receiver)
        auth = basic(app.client_id, app.client_secret)
        for _ in range(10):  # ten refreshes in a minute: what a busy app does
            refreshed = await http.post(
                "/oauth/token",
                data={"grant_type": "refresh_token", "refresh_token": refresh_token},
                headers=auth,
            )
            assert refreshed.status_code == 200, refreshed.text
            refresh_token = refreshed.json()["refresh_token"]

        guess = {"grant_type": "refresh_token", "refresh_token": "dhrt_guess"}
        statuses = [
            (await http.post("/oauth/token", data=guess, headers=auth)).status_code
            for _ in range(4)
        ]
        assert statuses == [400, 400, 400, 429]
        limited = await http.post(
            "/oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": refresh_token},
            headers=auth,
        )
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert limited.json()["error"] == "temporarily_unavailable"
        # Guessing the secret through introspection counts against the same client.
        wrong_secret = await http.post(
            "/oauth/introspect", data={"token": "x"}, headers=basic(app.client_id, "wrong")
        )
        assert wrong_secret.status_code == 429

        clock.advance(minutes=1)
        again = await http.post(
            "/oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": refresh_token},
            headers=auth,
        )
        assert again.status_code == 200


async def test_token_volume_has_a_ceiling_per_client(settings, clock, database, receiver):
    capped = dataclasses.replace(settings, token_limit_per_minute=4)
    async with client_at(
        create_app(capped, clock=clock, manage_database=False), "192.0.2.1"
    ) as http:
        app, refresh_token = await _refresh_client(http, receiver)  # the code exchange: 1
        statuses = []
        for _ in range(4):
            answer = await http.post(
                "/oauth/token",
                data={"grant_type": "refresh_token", "refresh_token": refresh_token},
                headers=basic(app.client_id, app.client_secret),
            )
            statuses.append(answer.status_code)
            if answer.status_code == 200:
                refresh_token = answer.json()["refresh_token"]
        assert statuses == [200, 200, 200, 429]


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
