"""The public marketplace: what it lists, search, sorting, slugs and the anonymous cache."""

from __future__ import annotations

import httpx
import pytest
from tortoise.expressions import F

from devhub_gql.models import App, AppStatus
from tests.oauth.support import ClientApp, install
from tests.support import (
    DELETE_APP,
    STATUS_MUTATIONS,
    UPDATE_APP,
    GraphQLClient,
    count_statements,
    create_app,
    fill_listing,
    make_reviewer,
    published_app,
    sign_up,
    submit,
)
from tests.test_query_counts import assert_statement_count

LIST = """
query List($search: String, $category: String, $sort: MarketplaceSort, $first: Int) {
  marketplaceApps(search: $search, category: $category, sort: $sort, first: $first) {
    edges { node { id name slug summary iconUrl developerName installationCount installUrl
      category { slug label } scopes { name label } } }
    pageInfo { hasNextPage }
  }
}
"""

ONE = """
query One($id: ID, $slug: String) {
  marketplaceApp(id: $id, slug: $slug) { id name slug websiteUrl installUrl }
}
"""


@pytest.fixture
async def developer(gql: GraphQLClient):
    return await sign_up(gql, "dev@example.com", company="Dev Studio")


@pytest.fixture
async def reviewer(gql: GraphQLClient):
    return await make_reviewer(gql)


async def listed_names(gql: GraphQLClient, **variables) -> list[str]:
    data = await gql.data(LIST, variables)
    return [edge["node"]["name"] for edge in data["marketplaceApps"]["edges"]]


async def publish_directly(gql: GraphQLClient, developer, name: str, **fields) -> str:
    """A listed app without the review round-trip (set-up for list-size tests)."""
    app_id = (await create_app(gql, developer, name=name))["app"]["id"]
    await fill_listing(gql, developer, app_id, **fields)
    await App.filter(name=name).update(status=AppStatus.PUBLISHED, published_at=F("created_at"))
    return app_id


async def test_only_published_apps_are_listed_with_what_customers_decide_on(
    gql: GraphQLClient, backoffice: GraphQLClient, developer, reviewer
):
    await published_app(gql, backoffice, developer, reviewer)
    draft = (await create_app(gql, developer, name="Draft Only"))["app"]["id"]
    in_review = (await create_app(gql, developer, name="Reviewing"))["app"]["id"]
    await fill_listing(gql, developer, in_review)
    await submit(gql, developer, in_review)
    _ = draft

    data = await gql.data(LIST)
    [listing] = [edge["node"] for edge in data["marketplaceApps"]["edges"]]
    assert listing["name"] == "Deal Sync"
    assert listing["slug"] == "deal-sync"
    assert listing["developerName"] == "Dev Studio"
    assert listing["category"] == {"slug": "productivity", "label": "Productivity"}
    assert [s["label"] for s in listing["scopes"]] == [
        "Access to basic information",
        "Deals: Read only",
    ]
    assert listing["installationCount"] == 0
    assert listing["installUrl"].startswith("http://127.0.0.1:8000/oauth/authorize?client_id=")


async def test_unpublished_and_deleted_apps_leave_the_list_but_unpublished_keep_their_link(
    gql: GraphQLClient, backoffice: GraphQLClient, developer, reviewer
):
    app_id = await published_app(gql, backoffice, developer, reviewer)
    await gql.data(STATUS_MUTATIONS["unpublishApp"], {"id": app_id}, token=developer.token)
    assert await listed_names(gql) == []
    direct = await gql.data(ONE, {"slug": "deal-sync"})
    assert direct["marketplaceApp"]["name"] == "Deal Sync"

    await gql.data(DELETE_APP, {"id": app_id, "reason": "Bye"}, token=developer.token)
    assert await gql.error_code(ONE, {"slug": "deal-sync"}) == "NOT_FOUND"


async def test_search_category_and_sorting(
    gql: GraphQLClient, http: httpx.AsyncClient, clock, developer
):
    clock.advance(minutes=1)
    await publish_directly(gql, developer, "Zeta Mail", summary="Sends invoices by email.")
    clock.advance(minutes=1)
    await publish_directly(
        gql, developer, "Alpha Calendar", category="scheduling", description="Meeting INVOICES."
    )
    clock.advance(minutes=1)
    await publish_directly(gql, developer, "Mid Deals", summary="Pipelines.")

    assert await listed_names(gql) == ["Mid Deals", "Alpha Calendar", "Zeta Mail"]
    assert await listed_names(gql, sort="NAME") == ["Alpha Calendar", "Mid Deals", "Zeta Mail"]
    assert await listed_names(gql, search="invoice") == ["Alpha Calendar", "Zeta Mail"]
    assert await listed_names(gql, search="zeta") == ["Zeta Mail"]
    assert await listed_names(gql, category="scheduling") == ["Alpha Calendar"]

    await App.filter(name="Zeta Mail").update(installation_count=7)
    await App.filter(name="Alpha Calendar").update(installation_count=3)
    assert await listed_names(gql, sort="INSTALLATIONS") == [
        "Zeta Mail",
        "Alpha Calendar",
        "Mid Deals",
    ]


async def test_installation_count_follows_installs_and_uninstalls(
    gql: GraphQLClient, http: httpx.AsyncClient, backoffice: GraphQLClient, developer, reviewer
):
    app_id = await published_app(gql, backoffice, developer, reviewer)
    row = await App.get(name="Deal Sync")
    created_secret = (
        await gql.data(
            "mutation R($id: ID!) { rotateClientSecret(input: {id: $id, gracePeriodHours: 0})"
            " { clientSecret } }",
            {"id": app_id},
            token=developer.token,
        )
    )["rotateClientSecret"]["clientSecret"]
    client = ClientApp(app_id, row.client_id, created_secret, row.callback_url)
    buyers = [
        await sign_up(gql, f"buyer{n}@example.com", kind="PRODUCTION", company=f"B{n}")
        for n in range(2)
    ]
    tokens = [await install(gql, http, buyer, client) for buyer in buyers]
    listing = (await gql.data(LIST))["marketplaceApps"]["edges"][0]["node"]
    assert listing["installationCount"] == 2
    await http.post(
        "/oauth/revoke",
        data={"token": tokens[0]["refresh_token"]},
        auth=(client.client_id, client.client_secret),
    )
    listing = (await gql.data(LIST))["marketplaceApps"]["edges"][0]["node"]
    assert listing["installationCount"] == 1


async def test_a_listing_is_found_by_id_and_by_every_slug_it_had(gql: GraphQLClient, developer):
    app_id = await publish_directly(gql, developer, "Deal Sync")
    listing_id = (await gql.data(ONE, {"slug": "deal-sync"}))["marketplaceApp"]["id"]
    by_id = await gql.data(ONE, {"id": listing_id})
    assert by_id["marketplaceApp"]["name"] == "Deal Sync"

    await gql.data(
        UPDATE_APP, {"input": {"id": app_id, "name": "Deal Sync Pro!"}}, token=developer.token
    )
    for slug in ("deal-sync", "deal-sync-pro", "DEAL-SYNC"):
        found = await gql.data(ONE, {"slug": slug})
        assert found["marketplaceApp"]["slug"] == "deal-sync-pro"
    other = await publish_directly(gql, developer, "Deal Sync")
    _ = other
    slugs = {e["node"]["slug"] for e in (await gql.data(LIST))["marketplaceApps"]["edges"]}
    assert slugs == {"deal-sync-pro", "deal-sync-2"}

    assert await gql.error_code(ONE, {}) == "BAD_USER_INPUT"
    assert await gql.error_code(ONE, {"slug": "nope"}) == "NOT_FOUND"
    assert await gql.error_code(ONE, {"id": app_id}) == "NOT_FOUND"  # a developer's App id


async def test_public_pages_are_cached_for_everyone_and_a_change_shows_on_the_next_request(
    gql: GraphQLClient, http: httpx.AsyncClient, developer
):
    app_id = await publish_directly(gql, developer, "Deal Sync")
    body = {"query": LIST, "variables": {"first": 10}}
    first = await http.post("/graphql", json=body)
    with count_statements() as counted:
        second = await http.post("/graphql", json=body)
    assert first.headers["x-devhub-cache"] == "miss"
    assert second.headers["x-devhub-cache"] == "hit"
    assert second.content == first.content
    assert "x-request-id" in second.headers
    assert len(counted.statements) == 1  # the version check, nothing else

    await gql.data(
        UPDATE_APP, {"input": {"id": app_id, "summary": "New words."}}, token=developer.token
    )
    third = await http.post("/graphql", json=body)
    assert third.headers["x-devhub-cache"] == "miss"
    assert third.json()["data"]["marketplaceApps"]["edges"][0]["node"]["summary"] == "New words."

    # Public data: the signed-in page is the anonymous page, from the same entry.
    with count_statements() as counted:
        signed_in = await http.post(
            "/graphql", json=body, headers={"authorization": f"Bearer {developer.token}"}
        )
    assert signed_in.headers["x-devhub-cache"] == "hit"
    assert signed_in.content == third.content
    assert len(counted.statements) == 1  # the session and the versions, in one statement
    # A document that reads the viewer is no public answer: never cached for nobody.
    viewer = await http.post("/graphql", json={"query": "{ viewer { id } scopes { name } }"})
    assert "x-devhub-cache" not in viewer.headers


@pytest.mark.parametrize("size", [1, 50])
async def test_a_marketplace_page_costs_the_same_statements_at_any_size(
    gql: GraphQLClient, developer, size
):
    for n in range(size):
        await publish_directly(gql, developer, f"App {n:02d}")
    with count_statements() as counted:
        data = await gql.data(LIST, {"first": 50})
    assert len(data["marketplaceApps"]["edges"]) == size
    assert_statement_count("marketplaceApps", counted)
