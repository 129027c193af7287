"""The whole install flow driven as a third-party app would, with Authlib, over real HTTP."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from standardwebhooks import Webhook
from tortoise import Tortoise

from devhub_gql.app import create_app
from devhub_gql.observability import CapturedStatements, capture_statements
from devhub_gql.outbox.worker import OutboxWorker
from tests.oauth.support import APPROVE_AUTHORIZATION, ClientApp, live_private_app, query_of
from tests.support import PASSWORD, GraphQLClient, sign_up


@pytest.fixture
async def live_url(settings, clock, database) -> AsyncIterator[str]:
    """The service on a real socket on 127.0.0.1, sharing the test's database and clock."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    service = create_app(
        dataclasses.replace(settings, public_url=url), clock=clock, manage_database=False
    )
    server = uvicorn.Server(uvicorn.Config(service, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no start-up event
        await asyncio.sleep(0.01)
    yield url
    server.should_exit = True
    await task


@pytest.fixture
async def live(live_url) -> AsyncIterator[GraphQLClient]:
    async with httpx.AsyncClient(base_url=live_url) as client:
        yield GraphQLClient(client)


async def consent(browser: httpx.AsyncClient, live: GraphQLClient, user, authorize_url: str) -> str:
    """The user's browser follows the authorize URL and the consent page allows the install."""
    response = await browser.get(authorize_url)
    assert response.status_code == 302
    params = query_of(response.headers["location"])
    approved = await live.data(
        APPROVE_AUTHORIZATION,
        {
            "input": {
                "clientId": params["client_id"],
                "redirectUri": params["redirect_uri"],
                "state": params.get("state"),
                "codeChallenge": params.get("code_challenge"),
                "codeChallengeMethod": params.get("code_challenge_method"),
            }
        },
        token=user.token,
    )
    assert approved["approveAuthorization"]["userErrors"] == []
    return approved["approveAuthorization"]["redirectUrl"]


def oauth_client(app: ClientApp) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=app.client_id,
        client_secret=app.client_secret,
        redirect_uri=app.callback_url,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )


async def test_authorize_consent_exchange_refresh_revoke_and_notice(
    live: GraphQLClient, live_url: str, settings, clock, receiver
):
    developer = await sign_up(live, "dev@example.com")
    customer = await sign_up(live, "buyer@example.com", kind="PRODUCTION", company="Buyer")
    app = await live_private_app(live, developer, f"{receiver.url}/callback")

    async with oauth_client(app) as client, httpx.AsyncClient() as browser:
        verifier = generate_token(48)
        authorize_url, state = client.create_authorization_url(
            f"{live_url}/oauth/authorize", code_verifier=verifier
        )
        callback = await consent(browser, live, customer, authorize_url)
        assert query_of(callback)["state"] == state

        token = await client.fetch_token(
            f"{live_url}/oauth/token", authorization_response=callback, code_verifier=verifier
        )
        assert token["token_type"] == "Bearer" and token["scope"] == "base deals:read"
        assert token["expires_in"] == 3600 and token["api_domain"]

        refreshed = await client.refresh_token(
            f"{live_url}/oauth/token", refresh_token=token["refresh_token"]
        )
        assert refreshed["access_token"] != token["access_token"]
        assert refreshed["refresh_token"] == token["refresh_token"]

        revoked = await client.revoke_token(
            f"{live_url}/oauth/revoke",
            token=token["refresh_token"],
            token_type_hint="refresh_token",
        )
        assert revoked.status_code == 200
        with pytest.raises(OAuthError) as refused:
            await client.refresh_token(
                f"{live_url}/oauth/token", refresh_token=token["refresh_token"]
            )
        assert refused.value.error == "invalid_grant"

    receiver.requests.clear()
    assert await OutboxWorker(settings, clock).run_once() == 1
    [(method, _, headers, body)] = receiver.requests
    secret = (
        await live.data(
            "query S($id: ID!) { app(id: $id) { signingSecret } }",
            {"id": app.id},
            token=developer.token,
        )
    )["app"]["signingSecret"]
    notice = Webhook(secret).verify(body, headers)
    assert method == "DELETE" and notice["client_id"] == app.client_id


@pytest.mark.parametrize(
    ("verifier", "error"),
    [(None, "invalid_request"), ("wrong-" + "v" * 43, "invalid_grant")],
)
async def test_pkce_is_verified_when_the_code_carries_a_challenge(
    live: GraphQLClient, live_url: str, receiver, verifier, error
):
    developer = await sign_up(live, "dev@example.com")
    customer = await sign_up(live, "buyer@example.com", kind="PRODUCTION", company="Buyer")
    app = await live_private_app(live, developer, f"{receiver.url}/callback")
    async with oauth_client(app) as client, httpx.AsyncClient() as browser:
        authorize_url, _ = client.create_authorization_url(
            f"{live_url}/oauth/authorize", code_verifier=generate_token(48)
        )
        callback = await consent(browser, live, customer, authorize_url)
        with pytest.raises(OAuthError) as refused:
            await client.fetch_token(
                f"{live_url}/oauth/token", authorization_response=callback, code_verifier=verifier
            )
    assert refused.value.error == error


@contextmanager
def sql_log() -> Iterator[SqlLog]:
    """Every statement Tortoise sends (text and values), as its logger would log them at DEBUG,
    caught by the service's one statement listener."""
    with capture_statements() as captured:
        yield SqlLog(captured)


@dataclasses.dataclass
class SqlLog:
    captured: CapturedStatements

    @property
    def statements(self) -> list[str]:
        return self.captured.statements

    @property
    def lines(self) -> list[str]:
        return [
            f"{statement}: {parameters!r}"
            for statement, parameters in zip(
                self.captured.statements, self.captured.parameters, strict=True
            )
        ]


async def test_no_secret_is_stored_in_clear_or_logged(
    live: GraphQLClient, live_url: str, receiver, caplog
):
    caplog.set_level(logging.DEBUG)
    with sql_log() as sql:
        developer = await sign_up(live, "dev@example.com")
        customer = await sign_up(live, "buyer@example.com", kind="PRODUCTION", company="Buyer")
        app = await live_private_app(live, developer, f"{receiver.url}/callback")
        rotated = await live.data(
            "mutation R($id: ID!) { rotateClientSecret(input: {id: $id}) { clientSecret } }",
            {"id": app.id},
            token=developer.token,
        )
        handled = [
            PASSWORD,
            developer.token,
            customer.token,
            app.client_secret,
            rotated["rotateClientSecret"]["clientSecret"],
        ]
        app.client_secret = handled[-1]
        async with oauth_client(app) as client, httpx.AsyncClient() as browser:
            verifier = generate_token(48)
            authorize_url, _ = client.create_authorization_url(
                f"{live_url}/oauth/authorize", code_verifier=verifier
            )
            callback = await consent(browser, live, customer, authorize_url)
            token = await client.fetch_token(
                f"{live_url}/oauth/token", authorization_response=callback, code_verifier=verifier
            )
            refreshed = await client.refresh_token(
                f"{live_url}/oauth/token", refresh_token=token["refresh_token"]
            )
            introspected = await browser.post(
                f"{live_url}/oauth/introspect",
                data={"token": refreshed["access_token"]},
                auth=(app.client_id, app.client_secret),
            )
            assert introspected.json()["active"] is True
            revoked = await client.revoke_token(
                f"{live_url}/oauth/revoke",
                token=token["refresh_token"],
                token_type_hint="refresh_token",
            )
            assert revoked.status_code == 200
    handled += [
        query_of(callback)["code"],
        verifier,
        token["access_token"],
        token["refresh_token"],
        refreshed["access_token"],
    ]

    # The SQL was really seen: every write that stores a secret's digest, and the lookups by it.
    inserted = {
        table
        for statement in sql.statements
        for table in re.findall(r'^INSERT INTO "(\w+)"', statement)
    }
    stored = {"user", "user_session", "app", "authorization_code", "refresh_token", "access_token"}
    assert stored <= inserted, inserted
    assert len(sql.statements) > 50, len(sql.statements)
    assert any("token_digest" in statement for statement in sql.statements)
    logged_sql = "\n".join(sql.lines)

    dump = []
    for model in Tortoise.apps.get_models_iterable():
        dump.extend(str(row) for row in await model.all().values())
    everything = "\n".join(dump)
    assert len(everything) > 1000
    # Each record whole: its message, arguments, traceback and extra fields (the request line's).
    logged = "\n".join(f"{record.getMessage()} {vars(record)!r}" for record in caplog.records)
    assert any(record.name == "devhub_gql.request" for record in caplog.records), logged
    for secret in handled:
        assert secret not in everything
        assert secret not in logged_sql, f"a secret in the SQL log: {secret[:6]}..."
        assert secret not in logged
