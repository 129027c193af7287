"""Live updates over WebSocket (graphql-transport-ws) on a real uvicorn: a developer follows their
app, reviewers follow the queue; events arrive once the change is committed (never for a refused
mutation); access is checked on subscribe and before every event; connections, subscriptions and
idleness are bounded."""

from __future__ import annotations

import dataclasses
import signal
from collections.abc import AsyncIterator

import httpx
import pytest

from devhub_gql.app import create_app
from devhub_gql.domain.accounts import set_reviewer
from tests.live import bearer, live_client, serving
from tests.processes import cli, service_env, start_server
from tests.support import (
    APPROVE,
    PASSWORD,
    STATUS_MUTATIONS,
    Account,
    GraphQLClient,
    approve,
    fill_listing,
    make_reviewer,
    sign_up,
    submit,
)
from tests.support import create_app as new_app

APP_EVENTS = """
subscription Follow($id: ID!) {
  appEvents(appId: $id) {
    action
    app { status }
    submission { status note }
  }
}
"""
QUEUE_EVENTS = """
subscription Queue {
  reviewQueueEvents { change submission { status snapshot { name } claimedBy { email } } }
}
"""
CLAIM = "mutation C($id: ID!) { claimSubmission(input: {id: $id}) { userErrors { code } } }"
SIGN_OUT = "mutation { signOut { signedOut } }"


@pytest.fixture
async def host(service) -> AsyncIterator[str]:
    async with serving(service) as address:
        yield address


async def _listed_draft(gql: GraphQLClient, email: str = "dev@example.com"):
    developer = await sign_up(gql, email)
    app_id = (await new_app(gql, developer))["app"]["id"]
    await fill_listing(gql, developer, app_id)
    return developer, app_id


async def test_a_developer_follows_their_app_through_review(
    gql: GraphQLClient, backoffice: GraphQLClient, host: str
):
    developer, app_id = await _listed_draft(gql)
    reviewer = await make_reviewer(gql)
    async with live_client(f"ws://{host}/graphql") as live:
        assert (await live.init(bearer(developer.token)))["type"] == "connection_ack"
        follow = await live.subscribe(APP_EVENTS, {"id": app_id})

        submitted = await submit(gql, developer, app_id)
        assert await live.receive() == {
            "id": follow,
            "type": "next",
            "payload": {
                "data": {
                    "appEvents": {
                        "action": "SUBMIT",
                        "app": {"status": "IN_REVIEW"},
                        "submission": {"status": "PENDING", "note": None},
                    }
                }
            },
        }
        submission = submitted["submission"]["id"]
        await backoffice.data(APPROVE, {"id": submission, "note": "Nice."}, token=reviewer.token)
        decided = (await live.receive())["payload"]["data"]["appEvents"]
        assert decided == {
            "action": "APPROVE",
            "app": {"status": "APPROVED"},
            "submission": {"status": "APPROVED", "note": "Nice."},
        }
        # A refused decision (decided already: its transaction rolls back) says nothing: the
        # next event is the publication.
        again = await backoffice.data(APPROVE, {"id": submission}, token=reviewer.token)
        assert again["approveSubmission"]["userErrors"][0]["code"] == "ALREADY_DECIDED"
        await gql.data(STATUS_MUTATIONS["publishApp"], {"id": app_id}, token=developer.token)
        published = (await live.receive())["payload"]["data"]["appEvents"]
        assert published == {
            "action": "PUBLISH",
            "app": {"status": "PUBLISHED"},
            "submission": None,
        }


async def test_only_the_apps_company_may_follow_it_and_only_while_signed_in(
    gql: GraphQLClient, host: str
):
    developer, app_id = await _listed_draft(gql)
    outsider = await sign_up(gql, "someone@else.example")

    async with live_client(f"ws://{host}/graphql") as anonymous:
        await anonymous.send({"type": "connection_init", "payload": {}})
        assert await anonymous.closed() == (4403, "Forbidden")

    async with live_client(f"ws://{host}/graphql") as live:
        await live.init(bearer(outsider.token))
        operation = await live.subscribe(APP_EVENTS, {"id": app_id})
        refused = await live.receive()
        assert refused["id"] == operation and refused["type"] in ("error", "next")
        errors = refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "NOT_FOUND"

    async with live_client(f"ws://{host}/graphql") as live:
        await live.init(bearer(developer.token))
        operation = await live.subscribe(APP_EVENTS, {"id": app_id})
        await gql.data(SIGN_OUT, token=developer.token)  # the session ends
        await submit(gql, await _colleague(gql, developer), app_id)  # something happens
        ended = await live.receive()
        assert ended["id"] == operation
        errors = ended["payload"] if ended["type"] == "error" else ended["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def _colleague(gql: GraphQLClient, developer):
    """Another member of the developer's company, signed in, to act while the first is out."""
    added = await gql.data(
        "mutation A($input: AddCompanyMemberInput!) { addCompanyMember(input: $input)"
        " { user { id } } }",
        {
            "input": {
                "email": "colleague@example.com",
                "name": "Col",
                "password": PASSWORD,
                "role": "ADMIN",
            }
        },
        token=(await _sign_in(gql, developer.email)),
    )
    assert added["addCompanyMember"]["user"]
    token = await _sign_in(gql, "colleague@example.com")
    return Account(token, "", developer.company_id, "colleague@example.com")


async def _sign_in(gql: GraphQLClient, email: str) -> str:
    data = await gql.data(
        "mutation S($e: String!, $p: String!) { signIn(input: {email: $e, password: $p})"
        " { session { token } } }",
        {"e": email, "p": PASSWORD},
    )
    return data["signIn"]["session"]["token"]


async def test_reviewers_follow_the_queue_and_lose_it_with_their_flag(
    gql: GraphQLClient, backoffice: GraphQLClient, host: str
):
    developer, app_id = await _listed_draft(gql)
    watcher = await make_reviewer(gql, "watcher@marketplace.example")
    deciding = await make_reviewer(gql, "decider@marketplace.example")
    async with live_client(f"ws://{host}/backoffice/graphql") as live:
        await live.init(bearer(watcher.token))
        await live.subscribe(QUEUE_EVENTS)

        submission = (await submit(gql, developer, app_id))["submission"]["id"]
        entered = (await live.receive())["payload"]["data"]["reviewQueueEvents"]
        assert entered == {
            "change": "SUBMITTED",
            "submission": {
                "status": "PENDING",
                "snapshot": {"name": "Deal Sync"},
                "claimedBy": None,
            },
        }
        await backoffice.data(CLAIM, {"id": submission}, token=deciding.token)
        claimed = (await live.receive())["payload"]["data"]["reviewQueueEvents"]
        assert claimed["change"] == "CLAIMED"
        assert claimed["submission"]["claimedBy"] == {"email": "decider@marketplace.example"}
        await approve(backoffice, deciding, submission)
        decided = (await live.receive())["payload"]["data"]["reviewQueueEvents"]
        assert (decided["change"], decided["submission"]["status"]) == ("DECIDED", "APPROVED")

        await set_reviewer("watcher@marketplace.example", False)
        second_app = (await new_app(gql, developer, name="Second"))["app"]["id"]
        await fill_listing(gql, developer, second_app)
        await submit(gql, developer, second_app)
        ended = await live.receive()
        errors = ended["payload"] if ended["type"] == "error" else ended["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"

    async with live_client(f"ws://{host}/backoffice/graphql") as live:
        await live.init(bearer(developer.token))
        await live.subscribe(QUEUE_EVENTS)
        refused = await live.receive()
        errors = refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_connections_subscriptions_and_idleness_are_bounded(
    gql: GraphQLClient, settings, clock, database
):
    bounded = dataclasses.replace(
        settings, ws_connections_per_user=2, ws_subscriptions_per_connection=1, ws_idle_seconds=60
    )
    developer, app_id = await _listed_draft(gql)
    async with serving(create_app(bounded, clock=clock, manage_database=False)) as address:
        url = f"ws://{address}/graphql"
        async with live_client(url) as first, live_client(url) as second, live_client(url) as third:
            assert (await first.init(bearer(developer.token)))["type"] == "connection_ack"
            assert (await second.init(bearer(developer.token)))["type"] == "connection_ack"
            await third.send({"type": "connection_init", "payload": bearer(developer.token)})
            assert await third.closed() == (4403, "Forbidden")  # a third for the same user

            await first.subscribe(APP_EVENTS, {"id": app_id})
            extra = await first.subscribe(APP_EVENTS, {"id": app_id})
            over = await first.receive()
            assert (over["id"], over["type"]) == (extra, "error")
            assert over["payload"][0]["message"] == "Subscription limit reached"

            clock.advance(seconds=61)  # the second connection runs nothing: it is closed
            assert await second.closed() == (4408, "Idle for too long")
            await submit(gql, developer, app_id)  # the first, subscribed, is still served
            assert (await first.receive())["payload"]["data"]["appEvents"]["action"] == "SUBMIT"

        async with live_client(url) as again:  # the slots were given back
            assert (await again.init(bearer(developer.token)))["type"] == "connection_ack"


async def test_sigterm_closes_subscriptions_cleanly(tmp_path):
    """A real `devhub-gql serve`: on SIGTERM every WebSocket is closed with 1012 (service restart,
    so clients reconnect elsewhere) and the process exits cleanly."""
    env = service_env(f"sqlite://{tmp_path / 'live.sqlite3'}", DEVHUB_LOG_LEVEL="INFO")
    cli(env, "migrate")
    log = tmp_path / "service.log"
    server = start_server(env, log=log)
    try:
        base = f"127.0.0.1:{env['DEVHUB_PORT']}"
        async with httpx.AsyncClient(base_url=f"http://{base}") as http:
            developer, app_id = await _listed_draft(GraphQLClient(http))
        async with live_client(f"ws://{base}/graphql") as live:
            assert (await live.init(bearer(developer.token)))["type"] == "connection_ack"
            await live.subscribe(APP_EVENTS, {"id": app_id})
            server.send_signal(signal.SIGTERM)
            assert (await live.closed())[0] == 1012
        # uvicorn re-raises the signal once it has shut down: dying by it is the clean exit.
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        if server.poll() is None:
            server.kill()
    text = log.read_text()
    assert "Application shutdown complete" in text and "Traceback" not in text
