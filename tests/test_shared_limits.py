"""Budgets shared through Redis: failed attempts counted by one worker count at the others; and
when Redis cannot be reached, sign-in fails closed while the token endpoint fails open."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from devhub_gql.app import create_app
from tests.oauth.support import basic
from tests.support import PASSWORD, GraphQLClient, sign_up
from tests.test_limits import _refresh_client, client_at, sign_in_as

UNREACHABLE = "redis://127.0.0.1:9/0"  # the discard port: nothing answers


def workers(settings, clock, **changes) -> list:
    """Two service instances, as two worker processes would be, sharing whatever the settings
    share (a Redis prefix of this test's own)."""
    shared = dataclasses.replace(
        settings, redis_prefix=f"devhub-test-{uuid.uuid4().hex}", **changes
    )
    return [create_app(shared, clock=clock, manage_database=False) for _ in range(2)]


@pytest.mark.parametrize("store", ["redis", "memory"])
async def test_failed_sign_ins_count_across_workers_only_through_redis(
    store: str, request: pytest.FixtureRequest, gql: GraphQLClient, settings, clock
):
    redis_url = request.getfixturevalue("redis_url") if store == "redis" else None
    await sign_up(gql, "dev@example.com")
    first, second = workers(settings, clock, redis_url=redis_url)
    guess = sign_in_as("dev@example.com", "x" * 10)
    async with client_at(first, "198.51.100.7") as a, client_at(second, "198.51.100.7") as b:
        for worker in (a, b) * 5:  # ten failures, five on each worker
            refused = await worker.post("/graphql", json=guess)
            assert refused.json()["data"]["signIn"]["userErrors"] == [
                {"code": "INVALID_CREDENTIALS"}
            ]
        eleventh = [(await w.post("/graphql", json=guess)).status_code for w in (a, b)]
    # Through Redis the budget is one; in memory each worker allows its own ten.
    assert eleventh == ([429, 429] if store == "redis" else [200, 200])


async def test_without_redis_sign_in_fails_closed_and_tokens_fail_open(
    gql: GraphQLClient, settings, clock, database, receiver
):
    await sign_up(gql, "someone@example.com")
    service = workers(settings, clock, redis_url=UNREACHABLE)[0]
    async with client_at(service, "198.51.100.7") as http:
        paused = await http.post("/graphql", json=sign_in_as("someone@example.com", PASSWORD))
        assert paused.status_code == 503
        assert paused.headers["retry-after"] == "5"
        assert paused.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        console = await http.post(
            "/backoffice/session",
            json={"email": "someone@example.com", "password": PASSWORD},
            headers={"x-devhub-console": "1"},
        )
        assert (console.status_code, console.json()["error"]["code"]) == (
            503,
            "SERVICE_UNAVAILABLE",
        )

        # Installed apps keep refreshing their tokens meanwhile.
        app, refresh_token = await _refresh_client(http, receiver)
        refreshed = await http.post(
            "/oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": refresh_token},
            headers=basic(app.client_id, app.client_secret),
        )
        assert refreshed.status_code == 200, refreshed.text
        # And the rest of the API answers as ever.
        assert (await http.post("/graphql", json={"query": "{ __typename }"})).status_code == 200
