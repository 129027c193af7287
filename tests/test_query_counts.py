"""Each list costs a fixed number of SQL statements, whatever its length (pinned at 1 and 50)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


@dataclass
class Env:
    gql: GraphQLClient
    http: httpx.AsyncClient
    backoffice: GraphQLClient
    receiver: Any
    settings: Any
    clock: Any


# list -> (document, statements per request). The other lists (apps, marketplaceApps) are pinned
# beside their own tests.
QUERY_COUNTS = {
    "installations": (
        """{ installations(first: 100) { edges { node { id installedAt needsReauthorization
             scopes { name label } app { name developerName } user { email } } } } }""",
        # session, page, scopes, the apps' live scopes (needsReauthorization), apps, users,
        # companies
        7,
    ),
    "reviewQueue": (
        """{ reviewQueue(first: 100) { edges { node { id kind checks { id passed }
             snapshot { name } app { name scopes { name } } developer { name }
             earlierDecisions { status } } } } }""",
        # session, page, apps, submissions, scopes, companies
        6,
    ),
    "uninstallNotices": (
        """query N($id: ID!) { uninstallNotices(appId: $id, first: 100) {
             edges { node { webhookId status deliveryAttempts { statusCode } } } } }""",
        # session, app, page, delivery attempts
        4,
    ),
    "auditLog": (
        """query L($id: ID!) { auditLog(appId: $id, first: 100) {
             edges { node { action fromStatus toStatus actor { email } } } } }""",
        # session, app exists, page, actors
        4,
    ),
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
@pytest.mark.parametrize("name", sorted(QUERY_COUNTS))
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
    document, expected = QUERY_COUNTS[name]
    client = backoffice if name in ("reviewQueue", "auditLog") else gql
    with count_statements() as counted:
        data = await client.data(document, variables, token=token)
    edges = data[name]["edges"]
    assert len(edges) == (size if name != "auditLog" else max(size, 3))
    assert len(counted.statements) == expected, counted.statements
