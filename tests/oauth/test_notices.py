"""Uninstall notices: signed, durable, retried with backoff, visible to the developer."""

from __future__ import annotations

import json

import httpx
import pytest
from standardwebhooks import Webhook

from devhub_gql.models import NoticeStatus, OutboxMessage
from devhub_gql.outbox.worker import MAX_ATTEMPTS, OutboxWorker
from tests.oauth.support import install, live_private_app, token_request
from tests.support import GraphQLClient, sign_up

NOTICES = """
query N($id: ID!) {
  app(id: $id) { clientId signingSecret }
  uninstallNotices(appId: $id) { edges { node { webhookId status attempts payload deliveredAt
    deliveryAttempts { outcome statusCode error } } } }
}
"""


@pytest.fixture
async def developer(gql: GraphQLClient):
    return await sign_up(gql, "dev@example.com")


@pytest.fixture
async def customer(gql: GraphQLClient):
    return await sign_up(gql, "buyer@example.com", kind="PRODUCTION", company="Buyer Co")


@pytest.fixture
def worker(settings, clock) -> OutboxWorker:
    return OutboxWorker(settings, clock)


async def uninstall_via_revoke(gql, http, customer, app) -> None:
    tokens = await install(gql, http, customer, app)
    await token_request(http, app, "/oauth/revoke", token=tokens["refresh_token"])


async def test_the_notice_reaches_the_callback_signed_with_the_apps_secret(
    gql: GraphQLClient, http: httpx.AsyncClient, developer, customer, receiver, worker
):
    app = await live_private_app(gql, developer, f"{receiver.url}/callback")
    await uninstall_via_revoke(gql, http, customer, app)
    receiver.requests.clear()

    assert await worker.run_once() == 1
    [(method, path, headers, body)] = receiver.requests
    assert (method, path) == ("DELETE", "/callback")
    data = await gql.data(NOTICES, {"id": app.id}, token=developer.token)
    details = data["app"]
    payload = Webhook(details["signingSecret"]).verify(body, headers)
    assert payload["client_id"] == app.client_id
    assert set(payload) == {"client_id", "company_id", "user_id", "timestamp"}
    notice = data["uninstallNotices"]["edges"][0]["node"]
    assert notice["status"] == "DELIVERED" and notice["attempts"] == 1
    assert notice["webhookId"] == headers["webhook-id"]
    assert json.loads(notice["payload"]) == payload
    assert await worker.run_once() == 0  # nothing left


async def test_a_failed_delivery_is_retried_with_backoff(
    gql: GraphQLClient, http: httpx.AsyncClient, clock, developer, customer, receiver, worker
):
    app = await live_private_app(gql, developer, f"{receiver.url}/callback")
    await uninstall_via_revoke(gql, http, customer, app)
    receiver.status = 500
    assert await worker.run_once() == 1
    assert await worker.run_once() == 0  # not due yet
    clock.advance(seconds=29)
    assert await worker.run_once() == 0
    clock.advance(seconds=2)
    assert await worker.run_once() == 1  # 30 s after the first attempt
    receiver.status = 200
    clock.advance(seconds=61)
    assert await worker.run_once() == 1

    deliveries = [r for r in receiver.requests if r[0] == "DELETE"]
    assert len({headers["webhook-id"] for _, _, headers, _ in deliveries}) == 1
    notice = (await gql.data(NOTICES, {"id": app.id}, token=developer.token))["uninstallNotices"][
        "edges"
    ][0]["node"]
    assert notice["status"] == "DELIVERED"
    assert [a["statusCode"] for a in notice["deliveryAttempts"]] == [500, 500, 200]
    assert [a["outcome"] for a in notice["deliveryAttempts"]] == ["FAILED", "FAILED", "DELIVERED"]


async def test_a_send_cut_short_by_a_crash_is_on_the_record(
    gql: GraphQLClient, http: httpx.AsyncClient, clock, developer, customer, receiver, settings
):
    import asyncio
    import threading

    app = await live_private_app(gql, developer, f"{receiver.url}/callback")
    await uninstall_via_revoke(gql, http, customer, app)
    receiver.requests.clear()
    receiver.held = threading.Semaphore(0)  # count only the requests from now on
    receiver.gate.clear()  # the app holds the request: the send is in flight
    crashed = asyncio.create_task(OutboxWorker(settings, clock).run_once())
    assert await asyncio.to_thread(receiver.held.acquire, timeout=10)
    crashed.cancel()  # the worker dies mid-request, before recording the answer
    with pytest.raises(asyncio.CancelledError):
        await crashed
    receiver.gate.set()
    in_flight = await gql.data(NOTICES, {"id": app.id}, token=developer.token)
    notice = in_flight["uninstallNotices"]["edges"][0]["node"]
    assert [a["outcome"] for a in notice["deliveryAttempts"]] == ["SENDING"]

    worker = OutboxWorker(settings, clock)
    assert await worker.run_once() == 0  # the dead worker's lease still holds
    clock.advance(seconds=settings.outbox_lease_seconds + 1)
    assert await worker.run_once() == 1
    notice = (await gql.data(NOTICES, {"id": app.id}, token=developer.token))["uninstallNotices"][
        "edges"
    ][0]["node"]
    assert notice["status"] == "DELIVERED" and notice["attempts"] == 2
    outcomes = [(a["outcome"], a["statusCode"]) for a in notice["deliveryAttempts"]]
    assert outcomes == [("INTERRUPTED", None), ("DELIVERED", 200)]
    assert notice["deliveryAttempts"][0]["error"].startswith("interrupted")
    assert len(receiver.requests) == 2  # the app may well have seen both: both are listed


async def test_delivery_gives_up_after_the_last_attempt(
    gql: GraphQLClient, http: httpx.AsyncClient, clock, developer, customer, receiver, worker
):
    app = await live_private_app(gql, developer, f"{receiver.url}/callback")
    await uninstall_via_revoke(gql, http, customer, app)
    receiver.close()  # the app's server is down: connections are refused
    for _ in range(MAX_ATTEMPTS):
        assert await worker.run_once() == 1
        clock.advance(hours=7)
    assert await worker.run_once() == 0
    message = await OutboxMessage.get()
    assert message.status == NoticeStatus.FAILED and message.attempts == MAX_ATTEMPTS


async def test_only_the_developers_see_the_signing_secret(
    gql: GraphQLClient, backoffice: GraphQLClient, developer
):
    from tests.support import create_app, fill_listing, make_reviewer, submit

    app_id = (await create_app(gql, developer))["app"]["id"]
    secret = (await gql.data(NOTICES, {"id": app_id}, token=developer.token))["app"][
        "signingSecret"
    ]
    assert secret.startswith("whsec_")
    await fill_listing(gql, developer, app_id)
    submission_id = (await submit(gql, developer, app_id))["submission"]["id"]
    reviewer = await make_reviewer(gql)
    seen = await backoffice.data(
        "query S($id: ID!) { submission(id: $id) { app { clientId signingSecret } } }",
        {"id": submission_id},
        token=reviewer.token,
    )
    assert seen["submission"]["app"]["signingSecret"] is None


async def test_two_workers_never_send_the_same_attempt(
    gql: GraphQLClient, http: httpx.AsyncClient, settings, clock, developer, customer, receiver
):
    import asyncio

    from devhub_gql.models import App, Installation
    from devhub_gql.outbox import enqueue_uninstall_notice

    app = await live_private_app(gql, developer, f"{receiver.url}/callback")
    await install(gql, http, customer, app)
    row = await App.get(client_id=app.client_id)
    installation = await Installation.get(app_id=row.id)
    for _ in range(12):
        await enqueue_uninstall_notice(row, installation, now=clock.now())
    receiver.requests.clear()

    first, second = OutboxWorker(settings, clock), OutboxWorker(settings, clock)
    attempted = await asyncio.gather(first.run_once(), second.run_once(), first.run_once())
    assert sum(attempted) == 12
    ids = [headers["webhook-id"] for method, _, headers, _ in receiver.requests]
    assert len(ids) == len(set(ids)) == 12
