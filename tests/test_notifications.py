"""Email notifications over a real SMTP server on 127.0.0.1 (aiosmtpd): who gets what, both
parts of every mail, escaping, the one-click unsubscribe link, security notices, once-per-incident
failure notices, and a durable outbox that loses nothing and sends nothing twice."""

from __future__ import annotations

import email
import email.policy
import logging
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from aiosmtpd.controller import Controller

from devhub_gql.outbox.worker import MAX_ATTEMPTS, OutboxWorker
from devhub_gql.settings import Settings
from tests.oauth.support import install, live_private_app
from tests.processes import free_port
from tests.support import (
    PASSWORD,
    REJECT,
    Account,
    GraphQLClient,
    create_app,
    error_codes,
    fill_listing,
    make_reviewer,
    sign_up,
    submit,
)

CONTACT = "owner@dealsync.example.com"  # the contact email of tests.support's complete listing


class Inbox:
    """What the SMTP server received: one parsed message per recipient."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        for recipient in envelope.rcpt_tos:
            self.messages.append((recipient, parsed))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for recipient, message in self.messages if recipient == address]


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def inbox(smtp_port: int) -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
def settings(database_url: str, smtp_port: int) -> Settings:
    return Settings(
        database_url=database_url,
        env="development",
        allow_private_callbacks=True,
        smtp_url=f"smtp://127.0.0.1:{smtp_port}",
        public_url="http://devhub.test",
    )


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


async def send_all(settings: Settings, clock: Any) -> int:
    return await OutboxWorker(settings, clock).run_once()


@pytest.fixture
async def developer(gql: GraphQLClient) -> Account:
    return await sign_up(gql, "dev@example.com", company="Deal Sync Ltd")


async def add_member(gql: GraphQLClient, admin: Account, email_address: str) -> Account:
    await gql.data(
        "mutation A($e: String!, $p: String!) { addCompanyMember(input: {email: $e,"
        ' name: "Mem", password: $p}) { user { id } } }',
        {"e": email_address, "p": PASSWORD},
        token=admin.token,
    )
    data = await gql.data(
        "mutation S($e: String!, $p: String!) { signIn(input: {email: $e, password: $p})"
        " { session { token } user { id company { id } } } }",
        {"e": email_address, "p": PASSWORD},
    )
    signed = data["signIn"]
    return Account(
        signed["session"]["token"],
        signed["user"]["id"],
        signed["user"]["company"]["id"],
        email_address,
    )


SET = """
mutation S($kind: NotificationKind!, $on: Boolean!) {
  setNotificationSetting(input: {kind: $kind, subscribed: $on}) {
    settings { kind subscribed canUnsubscribe } userErrors { field code }
  }
}
"""


async def test_review_decisions_reach_the_contact_and_the_members_who_opted_in(
    gql: GraphQLClient, backoffice: GraphQLClient, developer, inbox: Inbox, settings, clock
):
    member = await add_member(gql, developer, "member@example.com")
    quiet = await add_member(gql, developer, "quiet@example.com")
    opted = await gql.data(SET, {"kind": "SUBMISSION_REJECTED", "on": True}, token=member.token)
    assert {"kind": "SUBMISSION_REJECTED", "subscribed": True, "canUnsubscribe": True} in opted[
        "setNotificationSetting"
    ]["settings"]
    assert await send_all(settings, clock) == 2  # the members' arrival, to the admin
    inbox.messages.clear()
    reviewer = await make_reviewer(gql)
    app_id = (await create_app(gql, developer))["app"]["id"]
    await fill_listing(gql, developer, app_id)
    submitted = await submit(gql, developer, app_id)
    reasons = [
        {"code": "INCOMPLETE_LISTING", "message": "Add a screenshot."},
        {"code": "OTHER", "message": "Explain the <pricing>."},
    ]
    await backoffice.data(
        REJECT, {"id": submitted["submission"]["id"], "reasons": reasons}, token=reviewer.token
    )
    assert await send_all(settings, clock) == 3  # received, to the contact; rejected, to two

    [received] = inbox.to(CONTACT)[:1]
    assert received["Subject"] == "Deal Sync is in review"
    rejected = [m for m in inbox.to(CONTACT) if m["Subject"] == "Deal Sync needs changes"]
    assert len(rejected) == 1 and inbox.to("member@example.com")[0]["Subject"] == (
        "Deal Sync needs changes"
    )
    assert inbox.to(quiet.email) == []  # members who did not opt in get nothing
    text, html = parts(rejected[0])
    assert "- INCOMPLETE_LISTING: Add a screenshot." in text
    assert "- OTHER: Explain the <pricing>." in text
    assert "<li>OTHER: Explain the &lt;pricing&gt;.</li>" in html
    assert rejected[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    record = await gql.data(
        "query N($id: ID!) { notifications(appId: $id) { nodes { kind recipient subject"
        " status attempts } } }",
        {"id": app_id},
        token=developer.token,
    )
    assert [(n["kind"], n["recipient"], n["status"]) for n in record["notifications"]["nodes"]] == [
        ("SUBMISSION_REJECTED", "member@example.com", "DELIVERED"),
        ("SUBMISSION_REJECTED", CONTACT, "DELIVERED"),
        ("SUBMISSION_RECEIVED", CONTACT, "DELIVERED"),
    ]


async def test_a_hostile_app_name_is_escaped_in_html(
    gql: GraphQLClient, developer, inbox: Inbox, settings, clock
):
    hostile = '<img src=x onerror="alert(1)">'
    app_id = (await create_app(gql, developer, name=hostile))["app"]["id"]
    await fill_listing(gql, developer, app_id, name=hostile)
    await submit(gql, developer, app_id)
    inbox.messages.clear()
    await send_all(settings, clock)
    [message] = inbox.to(CONTACT)
    text, html = parts(message)
    assert hostile in text  # plain text shows the name as written
    assert "<img" not in html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html


async def test_the_unsubscribe_link_works_once_clicked_without_signing_in(
    gql: GraphQLClient, http: httpx.AsyncClient, developer, inbox: Inbox, settings, clock
):
    app_id = (await create_app(gql, developer))["app"]["id"]
    await fill_listing(gql, developer, app_id)
    await submit(gql, developer, app_id)
    inbox.messages.clear()
    await send_all(settings, clock)
    [message] = inbox.to(CONTACT)
    link = message["List-Unsubscribe"].strip("<>")
    text, html = parts(message)
    assert link in text and link.replace("&", "&amp;") in html
    path = urlsplit(link).path + "?" + urlsplit(link).query

    page = await http.get(path)  # a link scanner's GET changes nothing
    assert page.status_code == 200 and '<form method="post">' in page.text
    forged_token = parse_qs(urlsplit(link).query)["token"][0][:-2] + "AA"
    forged = await http.post(
        f"{urlsplit(link).path}?token={forged_token}", data={"List-Unsubscribe": "One-Click"}
    )
    assert forged.status_code == 400
    done = await http.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and CONTACT in done.text

    # Withdrawn and submitted again: the contact no longer hears of it.
    await gql.data(
        "mutation W($id: ID!) { withdrawAppFromReview(input: {id: $id}) { userErrors { code } } }",
        {"id": app_id},
        token=developer.token,
    )
    await submit(gql, developer, app_id)
    inbox.messages.clear()
    await send_all(settings, clock)
    assert inbox.to(CONTACT) == []


async def test_security_notices_cannot_be_turned_off_and_reach_every_admin(
    gql: GraphQLClient, developer, inbox: Inbox, settings, clock
):
    off = await gql.data(SET, {"kind": "CLIENT_SECRET_ROTATED", "on": False}, token=developer.token)
    assert error_codes(off["setNotificationSetting"]) == [("kind", "NOT_ALLOWED_HERE")]
    app_id = (await create_app(gql, developer))["app"]["id"]
    await fill_listing(gql, developer, app_id)
    await gql.data(
        "mutation R($id: ID!) { rotateClientSecret(input: {id: $id, gracePeriodHours: 24})"
        " { clientSecret } }",
        {"id": app_id},
        token=developer.token,
    )
    member = await add_member(gql, developer, "new@example.com")
    inbox.messages.clear()
    await send_all(settings, clock)
    rotated = inbox.to(CONTACT) + inbox.to("dev@example.com")
    assert sorted(m["Subject"] for m in rotated) == [
        "The client secret of Deal Sync was rotated",
        "The client secret of Deal Sync was rotated",
        "new@example.com joined Deal Sync Ltd",
    ]
    assert all(m["List-Unsubscribe"] is None for m in rotated)
    assert "keeps working for 24 hours" in parts(inbox.to(CONTACT)[0])[0]
    assert inbox.to(member.email) == []  # the new member is no admin


async def test_a_mail_server_that_is_down_delays_mail_but_loses_none_and_sends_none_twice(
    gql: GraphQLClient, developer, settings, clock, smtp_port: int
):
    app_id = (await create_app(gql, developer))["app"]["id"]
    await fill_listing(gql, developer, app_id)
    await submit(gql, developer, app_id)  # committed with its notice; nothing sent yet
    assert await send_all(settings, clock) == 1  # nobody listens: the attempt fails
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        assert await send_all(settings, clock) == 0  # not due yet
        clock.advance(minutes=5)
        assert await send_all(settings, clock) == 1
        assert await send_all(settings, clock) == 0  # delivered: never again
        clock.advance(days=1)
        assert await send_all(settings, clock) == 0
    finally:
        controller.stop()
    assert [m["Subject"] for m in inbox.to(CONTACT)] == ["Deal Sync is in review"]


async def test_failing_uninstall_notices_are_told_once_per_incident(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    developer,
    inbox: Inbox,
    settings,
    clock,
    receiver,
):
    app = await live_private_app(gql, developer, f"{receiver.url}/cb")
    await gql.data(
        'mutation U($id: ID!) { updateApp(input: {id: $id, contactEmail: "ops@example.com"})'
        " { userErrors { code } } }",
        {"id": app.id},
        token=developer.token,
    )
    users = [
        await sign_up(gql, f"u{n}@customer.example", kind="PRODUCTION", company=f"C{n}")
        for n in range(3)
    ]
    for user in users:
        await install(gql, http, user, app)

    async def uninstall(user: Account) -> None:
        mine = await gql.data("{ installations(first: 1) { nodes { id } } }", token=user.token)
        await gql.data(
            "mutation U($id: ID!) { uninstallApp(input: {installationId: $id})"
            " { userErrors { code } } }",
            {"id": mine["installations"]["nodes"][0]["id"]},
            token=user.token,
        )

    async def deliver_until_settled() -> None:
        for _ in range(MAX_ATTEMPTS + 1):
            await send_all(settings, clock)
            clock.advance(hours=7)

    def failing_mails() -> int:
        return sum("are failing" in m["Subject"] for m in inbox.to("ops@example.com"))

    receiver.status = 500
    await uninstall(users[0])
    await uninstall(users[1])
    await deliver_until_settled()  # both notices fail every attempt: one incident, one mail
    assert failing_mails() == 1
    receiver.status = 200
    users = [await _signed_in_again(gql, user) for user in users]
    await uninstall(users[2])
    await deliver_until_settled()  # delivered: the incident is over
    assert failing_mails() == 1
    receiver.status = 500
    await install(gql, http, users[0], app)
    await uninstall(users[0])
    await deliver_until_settled()  # a new incident
    assert failing_mails() == 2


async def _signed_in_again(gql: GraphQLClient, who: Account) -> Account:
    data = await gql.data(
        "mutation S($e: String!, $p: String!) { signIn(input: {email: $e, password: $p})"
        " { session { token } } }",
        {"e": who.email, "p": PASSWORD},
    )
    return Account(data["signIn"]["session"]["token"], who.user_id, who.company_id, who.email)


async def test_without_a_mail_server_mails_go_to_the_log(
    gql: GraphQLClient, developer, database_url: str, clock, caplog
):
    quiet = Settings(database_url=database_url, env="development", allow_private_callbacks=True)
    app_id = (await create_app(gql, developer))["app"]["id"]
    await fill_listing(gql, developer, app_id)
    await submit(gql, developer, app_id)
    with caplog.at_level(logging.INFO, logger="devhub_gql.mail"):
        assert await OutboxWorker(quiet, clock).run_once() >= 1
    logged = [r.getMessage() for r in caplog.records if r.name == "devhub_gql.mail"]
    assert any(CONTACT in line and "Deal Sync is in review" in line for line in logged), logged


EDIT_LISTING = """
mutation E($input: EditListingTextInput!) {
  editListingText(input: $input) { app { name summary } userErrors { field code } }
}
"""


async def test_a_reviewers_listing_edit_is_logged_and_told_to_the_developers(
    gql: GraphQLClient, backoffice: GraphQLClient, developer, inbox: Inbox, settings, clock
):
    reviewer = await make_reviewer(gql)
    app_id = (await create_app(gql, developer))["app"]["id"]
    await fill_listing(gql, developer, app_id, summary="Keps deals in sinc.")
    await submit(gql, developer, app_id)
    inbox.messages.clear()
    await send_all(settings, clock)
    inbox.messages.clear()

    def edit(**fields: Any) -> dict[str, Any]:
        return {"input": {"appId": app_id, **fields}}

    refused = await backoffice.data(
        EDIT_LISTING, edit(reason=" ", summary="x" * 151), token=reviewer.token
    )
    assert sorted(error_codes(refused["editListingText"])) == [
        ("reason", "REASON_REQUIRED"),
        ("summary", "TOO_LONG"),
    ]
    anyone = await backoffice.post(EDIT_LISTING, edit(reason="x"), token=developer.token)
    assert anyone["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    fixed = await backoffice.data(
        EDIT_LISTING, edit(reason="Typos.", summary="Keeps deals in sync."), token=reviewer.token
    )
    assert fixed["editListingText"] == {
        "app": {"name": "Deal Sync", "summary": "Keeps deals in sync."},
        "userErrors": [],
    }
    again = await backoffice.data(
        EDIT_LISTING, edit(reason="Typos.", summary="Keeps deals in sync."), token=reviewer.token
    )
    assert error_codes(again["editListingText"]) == [(None, "NO_CHANGES")]

    log = await backoffice.data(
        "query A($id: ID!) { auditLog(appId: $id, first: 20) { nodes { action reason } } }",
        {"id": app_id},
        token=reviewer.token,
    )
    assert {
        "action": "LISTING_EDITED",
        "reason": "Typos. (summary: 'Keps deals in sinc.' -> 'Keeps deals in sync.')",
    } in log["auditLog"]["nodes"]
    await send_all(settings, clock)
    [told] = inbox.to(CONTACT)
    assert told["Subject"] == "A reviewer edited the listing of Deal Sync"
    text, _ = parts(told)
    assert "summary was “Keps deals in sinc.” and is now “Keeps deals in sync.”" in text


async def test_settings_show_what_each_address_gets(gql: GraphQLClient, developer):
    query = "{ notificationSettings { kind subscribed } }"

    async def subscribed() -> dict[str, bool]:
        data = await gql.data(query, token=developer.token)
        return {s["kind"]: s["subscribed"] for s in data["notificationSettings"]}

    member_view = await subscribed()  # a member who opted in to nothing
    assert member_view["SUBMISSION_APPROVED"] is False
    assert member_view["CLIENT_SECRET_ROTATED"] is True  # security: always
    app_id = (await create_app(gql, developer))["app"]["id"]
    await fill_listing(gql, developer, app_id, contactEmail="dev@example.com")
    assert (await subscribed())["SUBMISSION_APPROVED"] is True  # the app's contact address
    await gql.data(SET, {"kind": "SUBMISSION_APPROVED", "on": False}, token=developer.token)
    assert (await subscribed())["SUBMISSION_APPROVED"] is False
