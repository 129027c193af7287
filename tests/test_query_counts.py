"""Each list costs a fixed number of SQL statements, whatever its length (pinned at 1 and 50).

The pinned numbers of every such test (these lists, `apps`, `marketplaceApps`) live in one table,
tests/query_counts.json, read through `assert_statement_count` below.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest

from tests.oauth.support import code_for, exchange, live_private_app
from tests.support import (
    STATUS_MUTATIONS,
    GraphQLClient,
    count_statements,
    create_app,
    fill_listing,
    make_reviewer,
    published_app,
    sign_up,
    submit,
)

# The table of pinned statement counts: tests/query_counts.json maps a stable name (the list's
# root field, or what the request does) to the number of SQL statements one request of it sends,
# the same whatever the size of the list. Tests count with tests.support.count_statements() and
# check the count with assert_statement_count(name, counted).
#
# Regeneration mode, after a deliberate change of the statements a request sends:
#
#     DEVHUB_UPDATE_QUERY_COUNTS=1 .venv/bin/pytest tests/test_query_counts.py \
#         tests/resolvers/test_marketplace.py tests/schema/test_contract.py \
#         tests/oauth/test_statements.py tests/test_extensions.py tests/test_manifests.py \
#         tests/test_ratings.py
#
# rewrites the table from what the tests measured instead of asserting (entries no test measured
# in the run stay as they were); a list whose count differs between two sizes still fails, since
# no number can be pinned for it. Review the diff of the table and commit it with the change.
QUERY_COUNTS_FILE = Path(__file__).with_name("query_counts.json")
UPDATE_QUERY_COUNTS = os.environ.get("DEVHUB_UPDATE_QUERY_COUNTS", "") not in ("", "0")
_measured: dict[str, int] = {}  # in regeneration mode: what this run measured so far


class Counted(Protocol):
    """What tests.support.count_statements() yields."""

    statements: list[str]


def pinned_statement_counts() -> dict[str, int]:
    return json.loads(QUERY_COUNTS_FILE.read_text())


def assert_statement_count(name: str, counted: Counted) -> None:
    """The request counted sent exactly the table's number of statements for `name` (or, in
    regeneration mode, that number is written to the table)."""
    measured = len(counted.statements)
    if UPDATE_QUERY_COUNTS:
        earlier = _measured.setdefault(name, measured)
        assert earlier == measured, (
            f"{name}: {earlier} statements in one measurement, {measured} in another: "
            "the count depends on the list's size"
        )
        table = pinned_statement_counts() if QUERY_COUNTS_FILE.exists() else {}
        table[name] = measured
        QUERY_COUNTS_FILE.write_text(json.dumps(table, indent=2, sort_keys=True) + "\n")
        return
    pinned = pinned_statement_counts()
    assert name in pinned, f"no count pinned for {name}: run with DEVHUB_UPDATE_QUERY_COUNTS=1"
    statements = "\n".join(counted.statements)
    assert measured == pinned[name], (
        f"{name} sent {measured} SQL statements, {pinned[name]} pinned in {QUERY_COUNTS_FILE.name}"
        f" (regenerate it with DEVHUB_UPDATE_QUERY_COUNTS=1 if the change is deliberate):\n"
        f"{statements}"
    )


@dataclass
class Env:
    gql: GraphQLClient
    http: httpx.AsyncClient
    backoffice: GraphQLClient
    receiver: Any
    settings: Any
    clock: Any


# The lists pinned here, by the name of their entry in the table; the other lists (apps,
# marketplaceApps) are measured beside their own tests.
DOCUMENTS = {
    "installations": """{ installations(first: 100) { edges { node { id installedAt
        needsReauthorization scopes { name label } app { name developerName }
        user { email } } } } }""",
    "reviewQueue": """{ reviewQueue(first: 100) { edges { node { id kind checks { id passed }
        snapshot { name } app { name scopes { name } } developer { name }
        earlierDecisions { status } } } } }""",
    "uninstallNotices": """query N($id: ID!) { uninstallNotices(appId: $id, first: 100) {
        edges { node { webhookId status deliveryAttempts { statusCode } } } } }""",
    "auditLog": """query L($id: ID!) { auditLog(appId: $id, first: 100) {
        edges { node { action fromStatus toStatus actor { email } } } } }""",
}


async def build_installations(env: Env, size: int) -> tuple[dict, str]:
    gql, http, receiver = env.gql, env.http, env.receiver
    developer = await sign_up(gql, "dev@example.com")
    customer = await sign_up(gql, "buyer@example.com", kind="PRODUCTION", company="Buyer")
    for n in range(size):
        app = await live_private_app(gql, developer, f"{receiver.url}/cb{n}")
        response = await exchange(http, app, await code_for(gql, customer, app))
        assert response.status_code == 200
    return {}, customer.token


async def build_review_queue(env: Env, size: int) -> tuple[dict, str]:
    gql = env.gql
    developer = await sign_up(gql, "dev@example.com")
    for n in range(size):
        app_id = (await create_app(gql, developer, name=f"App {n}"))["app"]["id"]
        await fill_listing(gql, developer, app_id)
        await submit(gql, developer, app_id)
    return {}, (await make_reviewer(gql)).token


async def build_audit_log(env: Env, size: int) -> tuple[dict, str]:
    gql, backoffice = env.gql, env.backoffice
    developer = await sign_up(gql, "dev@example.com")
    reviewer = await make_reviewer(gql)
    app_id = await published_app(gql, backoffice, developer, reviewer)  # 3 entries
    entries = 3
    while entries < size:
        name = "unpublishApp" if entries % 2 else "publishApp"
        await gql.data(STATUS_MUTATIONS[name], {"id": app_id}, token=developer.token)
        entries += 1
    return {"id": app_id}, reviewer.token


async def build_uninstall_notices(env: Env, size: int) -> tuple[dict, str]:
    gql, http, receiver = env.gql, env.http, env.receiver
    from devhub_gql.models import App, Installation
    from devhub_gql.outbox import enqueue_uninstall_notice
    from devhub_gql.outbox.worker import OutboxWorker

    developer = await sign_up(gql, "dev@example.com")
    customer = await sign_up(gql, "buyer@example.com", kind="PRODUCTION", company="Buyer")
    app = await live_private_app(gql, developer, f"{receiver.url}/cb")
    response = await exchange(http, app, await code_for(gql, customer, app))
    assert response.status_code == 200
    row = await App.get(client_id=app.client_id)
    installation = await Installation.get(app_id=row.id)
    for _ in range(size):
        await enqueue_uninstall_notice(row, installation, now=installation.installed_at)
    await OutboxWorker(env.settings, env.clock).run_once()  # attempts to list
    return {"id": app.id}, developer.token


BUILDERS = {
    "uninstallNotices": build_uninstall_notices,
    "installations": build_installations,
    "reviewQueue": build_review_queue,
    "auditLog": build_audit_log,
}


@pytest.mark.parametrize("size", [1, 50])
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
async def test_list_costs_a_fixed_number_of_statements(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    backoffice: GraphQLClient,
    receiver,
    settings,
    clock,
    name: str,
    size: int,
):
    env = Env(gql, http, backoffice, receiver, settings, clock)
    variables, token = await BUILDERS[name](env, size)
    client = backoffice if name in ("reviewQueue", "auditLog") else gql
    with count_statements() as counted:
        data = await client.data(DOCUMENTS[name], variables, token=token)
    edges = data[name]["edges"]
    assert len(edges) == (size if name != "auditLog" else max(size, 3))
    assert_statement_count(name, counted)
