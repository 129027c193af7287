"""Uninstall notices survive a SIGKILL of the server mid-delivery and arrive once per webhook-id."""

from __future__ import annotations

import signal
import socket
import sqlite3
import threading
from pathlib import Path

import httpx
import pytest

from tests.oauth.support import install, live_private_app, token_request
from tests.processes import cli, service_env, start_server, wait_until
from tests.support import GraphQLClient, Receiver, sign_up


class HangingListener:
    """Accepts connections on a port and never answers: a delivery to it stays in flight."""

    def __init__(self, port: int) -> None:
        self.socket = socket.socket()
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", port))
        self.socket.listen()
        self.accepted = threading.Event()
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        try:
            while True:
                connection, _ = self.socket.accept()
                self.connections.append(connection)
                self.accepted.set()
        except OSError:
            pass

    def close(self) -> None:
        for connection in self.connections:
            connection.close()
        self.socket.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(), freeing the port
        self.socket.close()


@pytest.fixture
def server_env(tmp_path: Path) -> dict[str, str]:
    env = service_env(
        f"sqlite://{tmp_path / 'crash.sqlite3'}",
        DEVHUB_OUTBOX_FIRST_RETRY_SECONDS="0.2",
        DEVHUB_OUTBOX_LEASE_SECONDS="1",
        DEVHUB_OUTBOX_POLL_SECONDS="0.1",
    )
    cli(env, "migrate")
    return env


async def test_notices_survive_a_kill_mid_delivery(server_env: dict[str, str]):
    url = f"http://127.0.0.1:{server_env['DEVHUB_PORT']}"
    first = start_server(server_env)
    receiver = Receiver()
    port = int(receiver.url.rsplit(":", 1)[1])
    try:
        async with httpx.AsyncClient(base_url=url) as http:
            gql = GraphQLClient(http)
            developer = await sign_up(gql, "dev@example.com")
            app = await live_private_app(gql, developer, f"{receiver.url}/callback")
            customers = [
                await sign_up(gql, f"buyer{n}@example.com", kind="PRODUCTION", company=f"B{n}")
                for n in range(3)
            ]
            tokens = [await install(gql, http, customer, app) for customer in customers]
            receiver.close()  # the app's server goes down
            for pair in tokens:
                revoked = await token_request(
                    http, app, "/oauth/revoke", token=pair["refresh_token"]
                )
                assert revoked.status_code == 200

        hanging = HangingListener(port)
        wait_until(hanging.accepted.is_set, 20, "a delivery in flight")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        hanging.close()

        receiver = Receiver.on_port(port)
        second = start_server(server_env)
        try:

            def all_delivered() -> bool:
                ids = {headers.get("webhook-id") for method, _, headers, _ in receiver.requests}
                return len(ids - {None}) == 3

            wait_until(all_delivered, 30, "every notice to arrive")
        finally:
            second.terminate()
            second.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
        receiver.close()

    database = server_env["DATABASE_URL"].removeprefix("sqlite://")
    with sqlite3.connect(database) as db:
        messages = db.execute("SELECT status, attempts FROM outbox_message").fetchall()
        outcomes = [row[0] for row in db.execute("SELECT outcome FROM delivery_attempt")]
    assert [status for status, _ in messages] == ["DELIVERED"] * 3
    assert len(outcomes) == sum(count for _, count in messages)  # every attempt is kept
    # The send the kill cut short (the app may have received it) is on the record too.
    assert outcomes.count("INTERRUPTED") == 1 and outcomes.count("DELIVERED") == 3
    assert "SENDING" not in outcomes
