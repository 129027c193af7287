"""Install analytics over HTTP: per-day installs, re-installs, uninstalls, active installations
and refreshes, uninstall reasons without their authors, counters equal to a recount after random
events, and a fixed number of statements whatever the period."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from typing import Any

import httpx
from strawberry import relay

from devhub_gql.domain import install_events
from devhub_gql.models import AppDay, Installation
from tests.oauth.support import ClientApp, install, live_private_app, token_request
from tests.support import (
    PASSWORD,
    Account,
    GraphQLClient,
    count_statements,
    error_codes,
    sign_up,
)
from tests.test_query_counts import assert_statement_count

ANALYTICS = """
query A($id: ID!, $from: Date!, $to: Date!) {
  appAnalytics(appId: $id, from: $from, to: $to) {
    days { day installs reinstalls uninstalls refreshes activeInstallations }
    uninstallReasons { reason count }
    uninstallComments { day reason text }
  }
}
"""
UNINSTALL = """
mutation U($input: UninstallAppInput!) {
  uninstallApp(input: $input) { installation { id } userErrors { field code } }
}
"""


async def installation_of(gql: GraphQLClient, user: Account) -> str:
    mine = await gql.data("{ installations(first: 1) { nodes { id } } }", token=user.token)
    return mine["installations"]["nodes"][0]["id"]


async def uninstall(gql: GraphQLClient, user: Account, **reason: Any) -> dict[str, Any]:
    variables = {"input": {"installationId": await installation_of(gql, user), **reason}}
    return (await gql.data(UNINSTALL, variables, token=user.token))["uninstallApp"]


async def read(gql: GraphQLClient, who: Account, app: ClientApp, first, last) -> dict[str, Any]:
    variables = {"id": app.id, "from": first.isoformat(), "to": last.isoformat()}
    return (await gql.data(ANALYTICS, variables, token=who.token))["appAnalytics"]


async def test_days_count_every_event_and_reasons_never_name_their_author(
    gql: GraphQLClient, http: httpx.AsyncClient, receiver, clock, settings
):
    developer = await sign_up(gql, "dev@example.com")
    app = await live_private_app(gql, developer, f"{receiver.url}/cb")
    users = [
        await sign_up(gql, f"user{n}@customer.example", kind="PRODUCTION", company=f"C{n}")
        for n in range(3)
    ]
    day0 = clock.now().date()
    tokens = [await install(gql, http, user, app) for user in users]

    clock.advance(days=1)
    dropped = await uninstall(gql, users[0], reason="TOO_EXPENSIVE", reasonText="Half our budget.")
    assert dropped["userErrors"] == []
    for _ in range(2):
        refreshed = await token_request(
            http, app, grant_type="refresh_token", refresh_token=tokens[1]["refresh_token"]
        )
        assert refreshed.status_code == 200
    await uninstall(gql, users[2])  # no reason given

    clock.advance(days=1)
    await install(gql, http, users[0], app)  # back again

    found = await read(gql, developer, app, day0 - timedelta(days=1), day0 + timedelta(days=2))
    assert found["days"] == [
        {
            "day": str(day0 - timedelta(days=1)),
            "installs": 0,
            "reinstalls": 0,
            "uninstalls": 0,
            "refreshes": 0,
            "activeInstallations": 0,
        },
        {
            "day": str(day0),
            "installs": 3,
            "reinstalls": 0,
            "uninstalls": 0,
            "refreshes": 0,
            "activeInstallations": 3,
        },
        {
            "day": str(day0 + timedelta(days=1)),
            "installs": 0,
            "reinstalls": 0,
            "uninstalls": 2,
            "refreshes": 2,
            "activeInstallations": 1,
        },
        {
            "day": str(day0 + timedelta(days=2)),
            "installs": 0,
            "reinstalls": 1,
            "uninstalls": 0,
            "refreshes": 0,
            "activeInstallations": 2,
        },
    ]
    assert found["uninstallReasons"] == [{"reason": "TOO_EXPENSIVE", "count": 1}]
    assert found["uninstallComments"] == [
        {
            "day": str(day0 + timedelta(days=1)),
            "reason": "TOO_EXPENSIVE",
            "text": "Half our budget.",
        }
    ]
    assert "customer.example" not in str(found)
    # A later period: the active count carries over.
    later = await read(gql, developer, app, day0 + timedelta(days=2), day0 + timedelta(days=2))
    assert later["days"][0]["activeInstallations"] == 2


async def test_reasons_are_checked_and_only_the_apps_company_reads(
    gql: GraphQLClient, http: httpx.AsyncClient, receiver, clock
):
    developer = await sign_up(gql, "dev@example.com")
    app = await live_private_app(gql, developer, f"{receiver.url}/cb")
    user = await sign_up(gql, "user@customer.example", kind="PRODUCTION", company="C")
    await install(gql, http, user, app)
    text_only = await uninstall(gql, user, reasonText="Why not.")
    assert error_codes(text_only) == [("reason", "REQUIRED")]
    too_long = await uninstall(gql, user, reason="OTHER", reasonText="x" * 501)
    assert error_codes(too_long) == [("reasonText", "TOO_LONG")]

    today = clock.now().date()
    variables = {"id": app.id, "from": str(today), "to": str(today)}
    assert await gql.error_code(ANALYTICS, variables, token=user.token) == "NOT_FOUND"
    assert await gql.error_code(ANALYTICS, variables) == "UNAUTHENTICATED"
    too_many = {**variables, "from": str(today - timedelta(days=366))}
    assert await gql.error_code(ANALYTICS, too_many, token=developer.token) == "BAD_USER_INPUT"
    backwards = {**variables, "from": str(today + timedelta(days=1))}
    assert await gql.error_code(ANALYTICS, backwards, token=developer.token) == "BAD_USER_INPUT"
    year = {**variables, "from": str(today - timedelta(days=365))}
    assert (
        len((await gql.data(ANALYTICS, year, token=developer.token))["appAnalytics"]["days"]) == 366
    )


async def test_a_week_and_a_year_cost_the_same_statements(
    gql: GraphQLClient, http: httpx.AsyncClient, receiver, clock
):
    developer = await sign_up(gql, "dev@example.com")
    app = await live_private_app(gql, developer, f"{receiver.url}/cb")
    user = await sign_up(gql, "user@customer.example", kind="PRODUCTION", company="C")
    await install(gql, http, user, app)
    today = clock.now().date()
    counts = []
    for days in (7, 365):
        with count_statements() as counted:
            await read(gql, developer, app, today - timedelta(days=days - 1), today)
        counts.append(len(counted.statements))
        assert_statement_count("appAnalytics", counted)
    assert counts[0] == counts[1]


async def test_random_events_keep_the_counters_equal_to_a_recount(
    gql: GraphQLClient, http: httpx.AsyncClient, receiver, clock
):
    generator = random.Random(5)
    developer = await sign_up(gql, "dev@example.com")
    apps = [await live_private_app(gql, developer, f"{receiver.url}/cb{n}") for n in range(2)]
    users = [
        await sign_up(gql, f"user{n}@customer.example", kind="PRODUCTION", company=f"C{n}")
        for n in range(4)
    ]
    installed: set[tuple[int, int]] = set()
    for _ in range(40):
        u, a = generator.randrange(len(users)), generator.randrange(len(apps))
        if (u, a) in installed and generator.random() < 0.6:
            target = await _installation_for(users[u], apps[a])
            reason = generator.choice([None, "NOT_USING", "OTHER"])
            variables = {"input": {"installationId": target, "reason": reason}}
            await gql.data(UNINSTALL, variables, token=users[u].token)
            installed.discard((u, a))
        elif (u, a) not in installed:
            await install(gql, http, users[u], apps[a])
            installed.add((u, a))
        if generator.random() < 0.3:
            clock.advance(hours=generator.randint(5, 30))
            users = [await _signed_in_again(gql, user) for user in users]
    assert await install_events.rebuild() == 0  # the counters were exact all along
    developer = await _signed_in_again(gql, developer)
    today = clock.now().date()
    for n, app in enumerate(apps):
        found = await read(gql, developer, app, today, today)
        active = sum(1 for (_, a) in installed if a == n)
        assert found["days"][0]["activeInstallations"] == active


async def _installation_for(user: Account, app: ClientApp) -> str:
    """The user's installation of this app (both apps of the test share a name)."""
    user_pk = int(relay.GlobalID.from_id(user.user_id).node_id)
    row = await Installation.get(app__client_id=app.client_id, user_id=user_pk)
    return relay.to_base64("Installation", row.id)


async def _signed_in_again(gql: GraphQLClient, who: Account) -> Account:
    data = await gql.data(
        "mutation S($e: String!, $p: String!) { signIn(input: {email: $e, password: $p})"
        " { session { token } } }",
        {"e": who.email, "p": PASSWORD},
    )
    return Account(data["signIn"]["session"]["token"], who.user_id, who.company_id, who.email)


async def test_the_rebuild_command_recounts_drifted_days(
    gql: GraphQLClient, http: httpx.AsyncClient, receiver, clock, database_url: str
):
    from tests.test_cli import run_cli

    developer = await sign_up(gql, "dev@example.com")
    app = await live_private_app(gql, developer, f"{receiver.url}/cb")
    user = await sign_up(gql, "user@customer.example", kind="PRODUCTION", company="C")
    await install(gql, http, user, app)
    await AppDay.all().update(installs=9, uninstalls=4)  # drifted, somehow
    env = {"DATABASE_URL": database_url, "DEVHUB_ENV": "development"}
    rebuilt = await asyncio.to_thread(run_cli, "analytics", "rebuild", env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stdout.strip().endswith("1 day rows changed")
    today = clock.now().date()
    [day] = (await read(gql, developer, app, today, today))["days"]
    assert (day["installs"], day["uninstalls"], day["activeInstallations"]) == (1, 0, 1)
