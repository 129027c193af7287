"""Two service processes on one PostgreSQL (and one Redis), as two hosts would run: a rate limit
counted across both, a subscription on one hearing a change made through the other, and both
outbox workers delivering every notice exactly once between them."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import httpx

from devhub_gql.models import DeliveryAttempt, OutboxMessage
from devhub_gql.models.outbox import Channel, NoticeStatus
from tests.live import bearer, live_client
from tests.oauth.support import install, live_private_app
from tests.support import (
    GraphQLClient,
    create_app,
    fill_listing,
    make_reviewer,
    sign_up,
    submit,
)
from tests.test_workers import serving_twice

QUEUE_EVENTS = "subscription { reviewQueueEvents { change submission { claimedBy { email } } } }"
CLAIM = "mutation C($id: ID!) { claimSubmission(input: {id: $id}) { userErrors { code } } }"
SIGN_IN = "mutation S($i: SignInInput!) { signIn(input: $i) { userErrors { code } } }"
UNINSTALL = """
mutation U($id: ID!) { uninstallApp(input: {installationId: $id}) { userErrors { code } } }
"""


async def test_a_subscription_on_one_host_hears_a_change_made_on_the_other(
    gql: GraphQLClient, database_url: str, database
):
    developer = await sign_up(gql, "dev@example.com")
    app_id = (await create_app(gql, developer))["app"]["id"]
    await fill_listing(gql, developer, app_id)
    submission = (await submit(gql, developer, app_id))["submission"]["id"]
    watcher = await make_reviewer(gql, "watcher@marketplace.example")
    claimer = await make_reviewer(gql, "claimer@marketplace.example")
    with serving_twice(database_url) as [(first, _), (second, _)]:
        host = first.removeprefix("http://")
        async with live_client(f"ws://{host}/backoffice/graphql") as live:
            await live.init(bearer(watcher.token))
            await live.subscribe(QUEUE_EVENTS)
            async with httpx.AsyncClient(base_url=second) as other_host:
                claimed = await GraphQLClient(other_host, path="/backoffice/graphql").data(
                    CLAIM, {"id": submission}, token=claimer.token
                )
            assert claimed["claimSubmission"]["userErrors"] == []
            heard = (await live.receive())["payload"]["data"]["reviewQueueEvents"]
            assert heard == {
                "change": "CLAIMED",
                "submission": {"claimedBy": {"email": "claimer@marketplace.example"}},
            }


async def test_a_rate_limit_is_counted_across_hosts_through_redis(
    gql: GraphQLClient, database_url: str, database, redis_url: str
):
    await sign_up(gql, "dev@example.com")
    guess = {"i": {"email": "dev@example.com", "password": "x" * 10}}
    shared = {"DEVHUB_REDIS_URL": redis_url, "DEVHUB_REDIS_PREFIX": f"hosts-{uuid.uuid4().hex}"}
    with serving_twice(database_url, **shared) as [(first, _), (second, _)]:
        async with httpx.AsyncClient(base_url=first) as a, httpx.AsyncClient(base_url=second) as b:
            for host in (a, b) * 5:  # ten failures, five on each host
                answer = await GraphQLClient(host).data(SIGN_IN, guess)
                assert answer["signIn"]["userErrors"] == [{"code": "INVALID_CREDENTIALS"}]
            eleventh = [
                (await h.post("/graphql", json={"query": SIGN_IN, "variables": guess})).status_code
                for h in (a, b)
            ]
    assert eleventh == [429, 429]


async def test_two_outbox_workers_deliver_each_notice_once(
    gql: GraphQLClient, http: httpx.AsyncClient, database_url: str, database, receiver
):
    developer = await sign_up(gql, "dev@example.com")
    app = await live_private_app(gql, developer, f"{receiver.url}/cb")
    notices = 12
    for number in range(notices):
        customer = await sign_up(
            gql, f"c{number}@example.com", kind="PRODUCTION", company=f"C{number}"
        )
        await install(gql, http, customer, app)
        installation = (
            await gql.data("{ installations { edges { node { id } } } }", token=customer.token)
        )["installations"]["edges"][0]["node"]["id"]
        # Enqueued now, delivered by whichever process's worker claims it first.
        await gql.data(UNINSTALL, {"id": installation}, token=customer.token)
    with serving_twice(database_url, DEVHUB_OUTBOX_POLL_SECONDS="0.05"):
        await wait_for_deliveries(notices)
    deliveries = Counter(
        headers["webhook-id"] for method, _, headers, _ in receiver.requests if method == "DELETE"
    )
    assert len(deliveries) == notices and set(deliveries.values()) == {1}, deliveries
    # Each notice was attempted once: no worker took a notice another had claimed.
    webhooks = OutboxMessage.filter(channel=Channel.WEBHOOK)
    assert await DeliveryAttempt.filter(message__channel=Channel.WEBHOOK).count() == notices
    assert {message.attempts for message in await webhooks} == {1}


async def wait_for_deliveries(count: int) -> None:
    """Until the database records `count` notices delivered (the workers run elsewhere)."""

    async def delivered() -> int:
        return await OutboxMessage.filter(
            channel=Channel.WEBHOOK, status=NoticeStatus.DELIVERED
        ).count()

    for _ in range(600):
        if await delivered() >= count:
            return
        await asyncio.sleep(0.05)  # polling another process's progress, not waiting for time
    raise AssertionError(f"only {await delivered()} of {count} notices delivered")
