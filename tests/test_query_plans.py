"""Every lookup the hot paths make is served by an index: no full scan of a growing table."""

from __future__ import annotations

import re

import httpx
from tortoise import Tortoise

from devhub_gql.models import App, AppStatus
from tests.oauth.support import install, introspect, live_private_app, token_request
from tests.support import (
    GraphQLClient,
    count_statements,
    create_app,
    fill_listing,
    make_reviewer,
    sign_up,
    submit,
)

# Fixed-size reference data may be scanned; everything else grows with use.
SMALL_TABLES = {"scope", "category", "marketplace_state"}

MARKETPLACE = """
query M($sort: MarketplaceSort, $search: String, $category: String) {
  marketplaceApps(sort: $sort, search: $search, category: $category, first: 20) {
    edges { node { name slug developerName category { label } scopes { label } } }
  }
}
"""


async def plan_lines(sql: str, parameters: list) -> list[str]:
    connection = Tortoise.get_connection("default")
    if connection.capabilities.dialect == "sqlite":
        _, rows = await connection.execute_query(f"EXPLAIN QUERY PLAN {sql}", parameters)
        return [row["detail"] for row in rows]
    async with connection._in_transaction() as transaction:
        await transaction.execute_script("SET LOCAL enable_seqscan = off")
        _, rows = await transaction.execute_query(f"EXPLAIN {sql}", parameters)
    return [row["QUERY PLAN"] for row in rows]


def full_scans(lines: list[str]) -> list[str]:
    scans = []
    for line in lines:
        sqlite = re.match(r"SCAN (\w+)", line.strip())
        postgres = re.search(r"Seq Scan on (\w+)", line)
        table = (sqlite or postgres).group(1) if (sqlite or postgres) else None
        if table and table.strip('"') not in SMALL_TABLES:
            scans.append(line)
    return scans


async def test_hot_queries_use_indexes(
    gql: GraphQLClient, http: httpx.AsyncClient, backoffice: GraphQLClient, receiver
):
    developer = await sign_up(gql, "dev@example.com")
    customer = await sign_up(gql, "buyer@example.com", kind="PRODUCTION", company="Buyer")
    reviewer = await make_reviewer(gql)
    app = await live_private_app(gql, developer, f"{receiver.url}/callback")
    listed = (await create_app(gql, developer, name="Listed"))["app"]["id"]
    await fill_listing(gql, developer, listed)
    queued = (await create_app(gql, developer, name="Queued"))["app"]["id"]
    await fill_listing(gql, developer, queued)
    await submit(gql, developer, queued)
    await App.filter(name="Listed").update(status=AppStatus.PUBLISHED)

    with count_statements() as counted:
        for variables in (
            {"sort": "NEWEST"},
            {"sort": "NAME"},
            {"sort": "INSTALLATIONS"},
            {"category": "productivity"},
            {"search": "sync"},
        ):
            await gql.data(MARKETPLACE, variables)
        await gql.data('{ marketplaceApp(slug: "listed") { name } }')
        tokens = await install(gql, http, customer, app)
        await token_request(
            http, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
        )
        await introspect(http, app, tokens["access_token"])
        await gql.data(
            "{ installations { edges { node { app { name } scopes { name } } } } }",
            token=customer.token,
        )
        await gql.data(
            "{ apps { edges { node { name scopes { name } } } } }", token=developer.token
        )
        await backoffice.data(
            "{ reviewQueue { edges { node { id app { name } earlierDecisions { id } } } } }",
            token=reviewer.token,
        )

    checked = 0
    for sql, parameters in zip(counted.statements, counted.parameters, strict=True):
        if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            continue
        checked += 1
        lines = await plan_lines(sql, parameters)
        assert full_scans(lines) == [], f"{sql}\n" + "\n".join(lines)
    assert checked > 30


async def test_a_developers_apps_page_reads_in_index_order_and_stops_at_its_size(
    gql: GraphQLClient,
):
    """The page is walked in the index's order and cut at its size: no sort, which would read
    every app the company has first (1,000 at the benchmark's large size)."""
    developer = await sign_up(gql, "dev@example.com")
    for name in ("First", "Second", "Third"):
        await create_app(gql, developer, name=name)
    with count_statements() as counted:
        page = await gql.data(
            "{ apps(first: 2) { edges { node { name } } } }", token=developer.token
        )
    assert [edge["node"]["name"] for edge in page["apps"]["edges"]] == ["Third", "Second"]
    (sql, parameters), *_ = [
        (sql, parameters)
        for sql, parameters in zip(counted.statements, counted.parameters, strict=True)
        if "FROM app a" in sql and "ORDER BY" in sql
    ]
    connection = Tortoise.get_connection("default")
    if connection.capabilities.dialect == "sqlite":
        lines = await plan_lines(sql, parameters)
        sorted_apart = [line for line in lines if "TEMP B-TREE FOR ORDER BY" in line]
    else:
        # The planner prefers a sort on a table this small; pricing sorts and other scans out
        # leaves a sort only where no index gives the order.
        async with connection._in_transaction() as transaction:
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                await transaction.execute_script(f"SET LOCAL {setting} = off")
            _, rows = await transaction.execute_query(f"EXPLAIN {sql}", parameters)
        lines = [row["QUERY PLAN"] for row in rows]
        sorted_apart = [line for line in lines if "Sort" in line]
    assert sorted_apart == [], "\n".join(lines)
