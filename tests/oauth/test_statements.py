"""The hot OAuth calls send a fixed, small number of SQL statements.

Every installed app refreshes hourly and resource servers introspect on every API call, so these
counts are the service's capacity: a refresh grant in at most three statements, an introspection
in one. The exact counts are pinned in tests/query_counts.json beside the GraphQL lists'.
"""

from __future__ import annotations

import httpx
import pytest

from tests.oauth.support import install, introspect, live_private_app, token_request
from tests.support import GraphQLClient, count_statements, sign_up
from tests.test_query_counts import assert_statement_count

# The ceilings the pinned counts may never exceed, whatever a regeneration writes.
CEILINGS = {"oauth: refresh": 3, "oauth: introspect": 1}


@pytest.fixture
async def installed(gql: GraphQLClient, http: httpx.AsyncClient, receiver):
    developer = await sign_up(gql, "dev@example.com")
    customer = await sign_up(gql, "buyer@example.com", kind="PRODUCTION", company="Buyer Co")
    app = await live_private_app(gql, developer, f"{receiver.url}/callback")
    return app, await install(gql, http, customer, app)


async def test_a_refresh_grant_sends_at_most_three_statements(http: httpx.AsyncClient, installed):
    app, tokens = installed
    with count_statements() as counted:
        response = await token_request(
            http, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
        )
    assert response.status_code == 200, response.text
    assert response.json()["access_token"] != tokens["access_token"]
    assert len(counted.statements) <= CEILINGS["oauth: refresh"], counted.statements
    assert_statement_count("oauth: refresh", counted)


@pytest.mark.parametrize("which", ["access_token", "refresh_token", "unknown"])
async def test_an_introspection_sends_one_statement(http: httpx.AsyncClient, installed, which):
    app, tokens = installed
    token = tokens.get(which, "not-a-token-we-issued")
    with count_statements() as counted:
        answer = await introspect(http, app, token)
    assert answer["active"] is (which != "unknown")
    assert len(counted.statements) <= CEILINGS["oauth: introspect"], counted.statements
    assert_statement_count("oauth: introspect", counted)
