"""Running the service: graceful shutdown, and client addresses from a trusted reverse proxy."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.oauth.support import install, live_private_app, token_request
from tests.processes import cli, service_env, start_server, wait_until
from tests.support import PASSWORD, SIGN_UP, GraphQLClient, Receiver, sign_up, sign_up_input


def refuses_connections(url: str) -> bool:
    try:
        httpx.get(f"{url}/healthz", timeout=1)
    except httpx.TransportError as error:  # a reset while it closes: look again
        return isinstance(error, httpx.ConnectError)
    return False


@dataclass
class RequestInFlight:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    body: bytes

    async def finish(self) -> bytes:
        """Sends the body; the whole answer, which ends when the server closes the connection."""
        self.writer.write(self.body)
        await self.writer.drain()
        answer = await asyncio.wait_for(self.reader.read(), 30)
        self.writer.close()
        return answer


async def start_request_in_flight(port: int, body: bytes) -> RequestInFlight:
    """Headers sent, body held back: once the server answers 100 Continue, the app is running
    and waiting for the body, so the request is in flight."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"POST /graphql HTTP/1.1\r\nhost: devhub\r\ncontent-type: application/json\r\n"
        b"expect: 100-continue\r\ncontent-length: %d\r\n\r\n" % len(body)
    )
    await writer.drain()
    interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 20)
    assert interim.startswith(b"HTTP/1.1 100 "), interim
    return RequestInFlight(reader, writer, body)


async def test_sigterm_finishes_requests_and_deliveries_in_flight(tmp_path: Path):
    database = tmp_path / "shutdown.sqlite3"
    env = service_env(
        f"sqlite://{database}", DEVHUB_OUTBOX_POLL_SECONDS="0.1", DEVHUB_LOG_LEVEL="INFO"
    )
    cli(env, "migrate")
    url = f"http://127.0.0.1:{env['DEVHUB_PORT']}"
    server = start_server(env, log=tmp_path / "service.log")
    receiver = Receiver()  # the third-party app: its answers are held back on demand
    try:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            gql = GraphQLClient(http)
            developer = await sign_up(gql, "dev@example.com")
            customer = await sign_up(gql, "buyer@example.com", kind="PRODUCTION", company="B")
            live = await live_private_app(gql, developer, f"{receiver.url}/callback")
            tokens = await install(gql, http, customer, live)
            while receiver.held.acquire(blocking=False):
                pass
            receiver.gate.clear()
            # In flight 1: the outbox worker delivering an uninstall notice.
            revoked = await token_request(
                http, live, "/oauth/revoke", token=tokens["refresh_token"]
            )
            assert revoked.status_code == 200
            assert await asyncio.to_thread(receiver.held.acquire, timeout=20)
        # In flight 2: a sign-up whose body has not arrived yet.
        sign_up_body = json.dumps(
            {"query": SIGN_UP, "variables": {"input": sign_up_input("late@example.com")}}
        ).encode()
        in_flight = await start_request_in_flight(int(env["DEVHUB_PORT"]), sign_up_body)

        server.send_signal(signal.SIGTERM)
        wait_until(lambda: refuses_connections(url), 20, "the listener to close")
        answer = await in_flight.finish()
        receiver.gate.set()
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 ")
        assert json.loads(body)["data"]["signUp"]["userErrors"] == []
        # Uvicorn re-raises the signal once it has shut down cleanly, as a process should.
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        receiver.gate.set()
        receiver.close()
        if server.poll() is None:
            server.kill()
            server.wait()
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT 1 FROM user WHERE email = 'late@example.com'").fetchall()
        # The delivery in flight was finished and recorded, and its claim released.
        assert db.execute(
            "SELECT status, attempts, claimed_until FROM outbox_message"
        ).fetchall() == [("DELIVERED", 1, None)]
        assert db.execute("SELECT status_code FROM delivery_attempt").fetchall() == [(200,)]
    log = (tmp_path / "service.log").read_text()
    assert "Application shutdown complete" in log and "Traceback" not in log


SIGN_IN = "mutation S($input: SignInInput!) { signIn(input: $input) { userErrors { code } } }"


async def sign_in_status(http: httpx.AsyncClient, forwarded_for: str, email: str) -> int:
    """A failed sign-in (an unknown account) from `forwarded_for`, as the proxy reports it."""
    response = await http.post(
        "/graphql",
        json={"query": SIGN_IN, "variables": {"input": {"email": email, "password": "no"}}},
        headers={"x-forwarded-for": forwarded_for},
    )
    return response.status_code


def limit_window() -> int:
    return int(time.time() // 60)  # the limiter's fixed one-minute windows


@pytest.mark.parametrize("trusted", [True, False], ids=["trusted-proxy", "untrusted-proxy"])
async def test_rate_limits_key_on_the_address_a_trusted_proxy_forwards(
    tmp_path: Path, trusted: bool
):
    env = service_env(
        f"sqlite://{tmp_path / 'proxy.sqlite3'}",
        DEVHUB_SIGN_IN_LIMIT_PER_MINUTE="2",
        DEVHUB_LOG_LEVEL="INFO",
        # The test plays the reverse proxy, from 127.0.0.1.
        DEVHUB_FORWARDED_ALLOW_IPS="127.0.0.1" if trusted else "10.0.0.0/8",
    )
    cli(env, "migrate")
    log = tmp_path / "service.log"
    for _ in range(3):  # again, on a fresh server, if a window ended among the requests
        server = start_server(env, log=log)
        try:
            url = f"http://127.0.0.1:{env['DEVHUB_PORT']}"
            async with httpx.AsyncClient(base_url=url) as http:
                window = limit_window()
                first = [
                    await sign_in_status(http, "203.0.113.7", "x@example.com") for _ in range(3)
                ]
                # Another account, so that only the address can tell the two apart.
                other = await sign_in_status(http, "198.51.100.9", "y@example.com")
                one_window = limit_window() == window
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        if one_window:
            break
    assert first == [200, 200, 429]
    if trusted:
        assert other == 200  # another client behind the same proxy has its own budget
        assert '"client_ip":"203.0.113.7"' in log.read_text()
    else:
        assert other == 429  # the header is ignored: every request is the proxy's own
        assert "203.0.113.7" not in log.read_text()
    assert PASSWORD not in log.read_text()
