"""The committed SDL is the contract; the conventions every operation follows."""

from __future__ import annotations

from pathlib import Path

import httpx

from devhub_gql.app import create_app
from devhub_gql.settings import Settings
from schema.build import create_schema
from tests.support import GraphQLClient, sign_up

SET_LISTING = """
mutation U($id: ID!, $category: String, $scopes: [String!]) {
  updateApp(input: {id: $id, category: $category, scopes: $scopes}) { userErrors { code } }
}
"""

ROOT = Path(__file__).resolve().parents[2]


def test_committed_schema_matches_the_code():
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == create_schema().as_str() + "\n", (
        "schema.graphql is stale: run `devhub-gql export-schema > schema.graphql` and commit it"
    )


async def test_unexpected_errors_are_masked_and_carry_the_request_id(
    gql: GraphQLClient, http: httpx.AsyncClient, database, caplog
):
    from tests.support import create_app as create_developer_app

    developer = await sign_up(gql, "dev@example.com")
    await create_developer_app(gql, developer)
    # A corrupt row (the image URLs should be a list) makes reading it raise a TypeError.
    await database.db().execute_script("UPDATE app SET listing_image_urls = '5'")
    response = await http.post(
        "/graphql",
        json={"query": "{ apps { edges { node { listingImageUrls } } } }"},
        headers={"authorization": f"Bearer {developer.token}"},
    )

    assert response.status_code == 200
    error = response.json()["errors"][0]
    request_id = response.headers["x-request-id"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert request_id in error["message"]
    assert "int" not in error["message"] and "TypeError" not in response.text
    logged = [r for r in caplog.records if r.name == "devhub_gql.graphql"]
    assert len(logged) == 1 and request_id in logged[0].getMessage()
    assert logged[0].exc_info is not None  # the operator gets the traceback, the client does not
    assert "Traceback" not in response.text


async def test_every_response_carries_a_request_id(http: httpx.AsyncClient):
    first = await http.post("/graphql", json={"query": "{ viewer { id } }"})
    second = await http.post("/graphql", json={"query": "{ viewer { id } }"})
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_syntax_and_validation_errors_have_codes(gql: GraphQLClient):
    assert await gql.error_code("{ viewer { id ") == "GRAPHQL_PARSE_FAILED"
    assert await gql.error_code("{ doesNotExist }") == "GRAPHQL_VALIDATION_FAILED"
    body = await gql.post("{ scopez { name } }")
    assert "Did you mean" not in body["errors"][0]["message"]


async def test_depth_alias_and_token_limits(gql: GraphQLClient, database_url, database, clock):
    shallow = Settings(database_url=database_url, max_query_depth=3)
    transport = httpx.ASGITransport(app=create_app(shallow, clock=clock, manage_database=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        deep = GraphQLClient(client)
        body = await deep.post("{ apps { edges { node { company { name } } } } }")
        assert "exceeds maximum operation depth" in body["errors"][0]["message"]
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "errors" not in await deep.post("{ viewer { company { name } } }")

    aliases = "{ " + " ".join(f"a{n}: scopes {{ name }}" for n in range(31)) + " }"
    body = await gql.post(aliases)
    assert "aliases" in body["errors"][0]["message"]

    tokens = "{ " + " ".join("__typename" for _ in range(2100)) + " }"
    body = await gql.post(tokens)
    assert "more than 2000 tokens" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_request_bodies_over_one_mebibyte_are_refused(http: httpx.AsyncClient):
    padding = "x" * (1024 * 1024)
    response = await http.post("/graphql", json={"query": "{ viewer { id } }", "padding": padding})
    assert response.status_code == 413


async def test_queries_over_get_are_refused(http: httpx.AsyncClient):
    response = await http.get("/graphql", params={"query": "{ viewer { id } }"})
    assert response.status_code in (400, 405)


async def test_graphiql_only_in_development_and_introspection_on_unless_disabled(
    database_url, database, clock
):
    async def fetch(settings: Settings) -> tuple[httpx.Response, dict]:
        transport = httpx.ASGITransport(
            app=create_app(settings, clock=clock, manage_database=False)
        )
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            page = await client.get("/graphql", headers={"accept": "text/html"})
            schema = await client.post(
                "/graphql", json={"query": "{ __schema { queryType { name } } }"}
            )
            return page, schema.json()

    page, introspection = await fetch(Settings(database_url=database_url, env="development"))
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert introspection["data"]["__schema"]["queryType"]["name"] == "Query"

    page, introspection = await fetch(Settings(database_url=database_url, env="production"))
    assert page.status_code != 200 or "graphiql" not in page.text.lower()
    assert introspection["data"]["__schema"]["queryType"]["name"] == "Query"

    _, introspection = await fetch(
        Settings(database_url=database_url, env="production", introspection=False)
    )
    assert introspection["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_listing_one_app_or_fifty_costs_the_same_statements(gql: GraphQLClient):
    from tests.support import count_statements, create_app
    from tests.test_query_counts import assert_statement_count

    developer = await sign_up(gql, "dev@example.com")
    query = """
    { apps(first: 100) { edges { node { id name scopes { name label } category { label }
      company { name } } } } }
    """
    app_ids = [(await create_app(gql, developer, name="App 0"))["app"]["id"]]
    await gql.post(
        SET_LISTING,
        {"id": app_ids[0], "category": "productivity", "scopes": ["base", "deals:full"]},
        token=developer.token,
    )
    with count_statements() as one:
        data = await gql.data(query, token=developer.token)
    assert len(data["apps"]["edges"]) == 1

    for n in range(1, 50):
        app_ids.append((await create_app(gql, developer, name=f"App {n}"))["app"]["id"])
        await gql.post(
            SET_LISTING,
            {"id": app_ids[-1], "category": "other", "scopes": ["base", "contacts:read"]},
            token=developer.token,
        )
    with count_statements() as fifty:
        data = await gql.data(query, token=developer.token)
    assert len(data["apps"]["edges"]) == 50

    assert_statement_count("apps", one)
    assert_statement_count("apps", fifty)
