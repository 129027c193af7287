"""The guarded outbound client connects to the address it checked: the host name is resolved once
(DNS is injected here, as the clock is elsewhere), and the request goes to that address with the
name in its Host header and, over TLS, in the server name and the certificate check."""

from __future__ import annotations

import http.server
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme

from devhub_gql import outbound


class Recorder(http.server.BaseHTTPRequestHandler):
    hosts: list[str]

    def do_GET(self) -> None:
        self.server.hosts.append(self.headers["host"])  # type: ignore[attr-defined]
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


def serve(tls: ssl.SSLContext | None = None) -> Iterator[tuple[int, list[str]]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.hosts = []  # type: ignore[attr-defined]
    # A refused handshake (the impostor's certificate) is the test's point, not a server error.
    server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], server.hosts  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver() -> Iterator[tuple[int, list[str]]]:
    yield from serve()


class Dns:
    """Answers from a script, one answer per lookup, counting lookups."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.lookups: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        return self.answers.pop(0)


async def test_the_request_goes_to_the_address_checked_with_the_name_as_host(receiver):
    port, hosts = receiver
    # A second lookup would answer an address nothing listens on: there must not be one.
    dns = Dns(["127.0.0.1"], ["127.0.0.2"])
    response = await outbound.request(
        "GET", f"http://hooks.devhub.test:{port}/notice", allow_private=True, resolve=dns
    )
    assert response.status_code == 204
    assert hosts == [f"hooks.devhub.test:{port}"]
    assert dns.lookups == ["hooks.devhub.test"]


async def test_a_name_rebound_to_a_private_address_after_the_check_is_never_called(receiver):
    port, hosts = receiver
    dns = Dns(["93.184.216.34"], ["127.0.0.1"])  # public when checked, then the service's own
    quick = httpx.Timeout(0.5, connect=0.5)
    with pytest.raises(httpx.HTTPError):
        await outbound.request(
            "GET",
            f"http://rebind.devhub.test:{port}/",
            allow_private=False,
            resolve=dns,
            time_limits=quick,
        )
    assert hosts == []
    assert dns.lookups == ["rebind.devhub.test"]

    refused = await outbound.probe(
        f"http://private.devhub.test:{port}/", allow_private=False, resolve=Dns(["127.0.0.1"])
    )
    assert not refused.answered and "non-public address" in refused.message
    assert hosts == []


async def test_tls_checks_the_certificate_against_the_name_not_the_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    authority = trustme.CA()
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))  # the client trusts the test's authority
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("hooks.devhub.test").configure_cert(context)
    for port, hosts in serve(context):
        answer = await outbound.request(
            "GET",
            f"https://hooks.devhub.test:{port}/",
            allow_private=True,
            resolve=Dns(["127.0.0.1"]),
        )
        assert answer.status_code == 204
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await outbound.request(
                "GET",
                f"https://impostor.devhub.test:{port}/",
                allow_private=True,
                resolve=Dns(["127.0.0.1"]),
            )
        assert hosts == [f"hooks.devhub.test:{port}"]
