"""What operators see: JSON request logs, Prometheus metrics and (optional) OpenTelemetry traces."""

from __future__ import annotations

import http.server
import json
import logging
import os
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from devhub_gql.observability import JsonLines
from devhub_gql.outbox.worker import OutboxWorker
from tests.oauth.support import install, live_private_app, token_request
from tests.processes import cli, service_env, start_server, wait_until
from tests.support import PASSWORD, GraphQLClient, sign_up

VIEWER = "query WhoAmI { viewer { id email } }"


def scrape(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus exposition, by name and sorted labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def sample(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_count_operations_token_grants_and_the_outbox(
    gql: GraphQLClient, http: httpx.AsyncClient, service, settings, clock, receiver
):
    before = scrape((await http.get("/metrics")).text)
    developer = await sign_up(gql, "dev@example.com")
    customer = await sign_up(gql, "buyer@example.com", kind="PRODUCTION", company="Buyer Co")
    await gql.data(VIEWER, token=developer.token)
    await gql.data(VIEWER, token=customer.token)
    assert await gql.error_code("query Broken { apps { nope } }") == "GRAPHQL_VALIDATION_FAILED"
    app = await live_private_app(gql, developer, f"{receiver.url}/callback")
    tokens = await install(gql, http, customer, app)
    refreshed = await token_request(
        http, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refreshed.status_code == 200
    forged = await token_request(
        http, app, grant_type="refresh_token", refresh_token="dhrt_not-a-real-token"
    )
    assert forged.json()["error"] == "invalid_grant"
    revoked = await token_request(http, app, "/oauth/revoke", token=tokens["refresh_token"])
    assert revoked.status_code == 200  # the app is uninstalled: a notice waits in the outbox

    response = await http.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    pending = scrape(response.text)
    clock.advance(seconds=90)
    aged = scrape((await http.get("/metrics")).text)
    assert await OutboxWorker(settings, clock, service.metrics).run_once() == 1
    after = scrape((await http.get("/metrics")).text)

    def grew(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    operations = "devhub_graphql_operations_total"
    assert grew(operations, endpoint="graphql", operation="WhoAmI", type="query", outcome="ok") == 2
    assert grew(operations, endpoint="graphql", operation="SignUp", type="mutation", outcome="ok")
    assert (
        grew(operations, endpoint="graphql", operation="Broken", type="query", outcome="error") == 1
    )
    assert grew("devhub_graphql_operation_duration_seconds_count", endpoint="graphql",
                operation="WhoAmI") == 2  # fmt: skip
    assert grew("devhub_http_requests_total", route="/graphql", method="POST", status="200") >= 8
    assert grew("devhub_http_request_duration_seconds_count", route="/oauth/token") == 3
    grants = "devhub_oauth_token_grants_total"
    assert grew(grants, grant_type="authorization_code", outcome="issued") == 1
    assert grew(grants, grant_type="refresh_token", outcome="issued") == 1
    assert grew(grants, grant_type="refresh_token", outcome="invalid_grant") == 1
    assert grew("devhub_sql_statements_per_request_count", route="/graphql") >= 8
    assert grew("devhub_sql_statements_per_request_sum", route="/graphql") >= 8
    # The outbox: one pending notice, ageing with the clock, then delivered.
    assert sample(pending, "devhub_outbox_messages", status="pending") == 1
    assert sample(aged, "devhub_outbox_oldest_pending_seconds") >= 90
    assert sample(after, "devhub_outbox_messages", status="pending") == 0
    assert sample(after, "devhub_outbox_oldest_pending_seconds") == 0
    assert grew("devhub_outbox_delivery_attempts_total", outcome="delivered") == 1


async def test_operation_names_chosen_by_clients_cannot_flood_the_metrics(
    gql: GraphQLClient, http: httpx.AsyncClient
):
    from devhub_gql.observability import MAX_OPERATION_LABELS

    for n in range(MAX_OPERATION_LABELS + 5):
        await gql.data(f"query Flood{n} {{ categories {{ slug }} }}")
    samples = scrape((await http.get("/metrics")).text)
    names = {
        dict(labels)["operation"]
        for name, labels in samples
        if name == "devhub_graphql_operations_total"
    }
    assert len(names) <= MAX_OPERATION_LABELS + 1
    assert "other" in names


@pytest.fixture
def server_env(tmp_path: Path) -> dict[str, str]:
    env = service_env(f"sqlite://{tmp_path / 'logs.sqlite3'}", DEVHUB_LOG_LEVEL="INFO")
    cli(env, "migrate")
    return env


def log_entries(path: Path) -> list[dict[str, Any]]:
    """Every line of the service's log, which must each be one JSON object."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def test_every_request_logs_one_json_line_without_secrets(
    server_env: dict[str, str], tmp_path: Path
):
    log = tmp_path / "service.log"
    server = start_server(server_env, log=log)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server_env['DEVHUB_PORT']}") as h:
            gql = GraphQLClient(h)
            developer = await sign_up(gql, "dev@example.com")
            viewer = await h.post(
                "/graphql",
                json={"query": VIEWER},
                headers={"authorization": f"Bearer {developer.token}"},
            )
            broken = await h.post("/graphql", json={"query": "query Broken { nope }"})
            await h.get("/healthz")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    entries = log_entries(log)
    requests = [entry for entry in entries if entry["logger"] == "devhub_gql.request"]
    assert all(entry["path"] != "/healthz" for entry in requests)  # probes log at DEBUG only
    requests = [entry for entry in requests if entry["path"] == "/graphql"]
    assert [(entry["operation"], entry["status"]) for entry in requests] == [
        ("SignUp", 200),
        ("WhoAmI", 200),
        ("Broken", 200),
    ]
    signed_up, who, bad = requests
    assert who["request_id"] == viewer.headers["x-request-id"]
    assert bad["request_id"] == broken.headers["x-request-id"]
    user_id = viewer.json()["data"]["viewer"]["id"]
    from strawberry.relay import GlobalID

    assert str(who["viewer_id"]) == GlobalID.from_id(user_id).node_id
    assert "viewer_id" not in signed_up  # nobody was signed in yet
    assert bad["error_codes"] == ["GRAPHQL_VALIDATION_FAILED"]
    for entry in requests:
        assert (
            entry["level"] == "info" and entry["method"] == "POST" and entry["path"] == "/graphql"
        )
        assert entry["duration_ms"] > 0 and entry["client_ip"] == "127.0.0.1"
        assert entry["operation_type"] in ("query", "mutation")
    assert who["sql_statements"] >= 1 and signed_up["sql_statements"] >= 3
    assert any(entry["logger"] == "uvicorn.error" for entry in entries)
    # The statements (their values hold digests and addresses) are counted, never logged, at INFO.
    assert not any(entry["logger"] == "tortoise.db_client" for entry in entries)
    text = log.read_text()
    # The random part alone too (it may itself hold "_": split at the prefix only).
    for secret in (PASSWORD, developer.token, developer.token.partition("_")[2]):
        assert secret not in text


def test_a_crash_reaches_the_log_as_one_json_line_with_its_traceback(tmp_path: Path):
    log = tmp_path / "crash.log"
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    logger = logging.getLogger("tests.crash")
    handler = JsonLines(fd)
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError("the disk is on fire")
        except RuntimeError:
            logger.exception("unhandled error (request %s)", "abc123")
    finally:
        logger.removeHandler(handler)
        os.close(fd)

    [entry] = log_entries(log)
    assert entry["level"] == "error" and entry["logger"] == "tests.crash"
    assert entry["message"] == "unhandled error (request abc123)"
    assert "Traceback" in entry["exception"]
    assert "RuntimeError: the disk is on fire" in entry["exception"]


def test_each_log_line_carries_its_own_time_to_the_millisecond(tmp_path: Path):
    """The line's time is its record's, in UTC to the millisecond, as datetime writes it: across
    seconds, back in time, and where the microseconds round up into the next second."""
    second = 1_780_000_000
    moments = [
        second + 0.25,
        second + 0.2509,
        second + 1.0005,  # the next second
        second + 1.9999996,  # rounds up into the one after
        second + 7.0,
        second + 0.5,  # back again (a record made earlier, written later)
        second + 86_400.123,  # the next day
    ]
    log = tmp_path / "times.log"
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    handler = JsonLines(fd)
    try:
        for moment in moments:
            handler.emit(
                logging.makeLogRecord({"name": "tests.time", "msg": "x", "created": moment})
            )
    finally:
        os.close(fd)

    expected = [datetime.fromtimestamp(m, UTC).isoformat(timespec="milliseconds") for m in moments]
    assert [entry["time"] for entry in log_entries(log)] == expected
    assert expected[3] == "2026-05-28T20:26:42.000+00:00"


def test_a_log_line_that_cannot_be_written_does_not_fail_its_caller(capsys):
    reader, writer = os.pipe()
    os.close(reader)  # nobody reads the log any more: writing to it fails (EPIPE)
    handler = JsonLines(writer)
    try:
        handler.write({"logger": "devhub_gql.request", "message": "POST /graphql 200"})
    finally:
        os.close(writer)
    # Reported the way logging reports a handler's failure, and nothing raised.
    assert "BrokenPipeError" in capsys.readouterr().err


async def test_at_debug_level_the_log_shows_each_statement(
    server_env: dict[str, str], tmp_path: Path
):
    log = tmp_path / "debug.log"
    server = start_server({**server_env, "DEVHUB_LOG_LEVEL": "DEBUG"}, log=log)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server_env['DEVHUB_PORT']}") as h:
            developer = await sign_up(GraphQLClient(h), "dev@example.com")
            await h.post(
                "/graphql",
                json={"query": VIEWER},
                headers={"authorization": f"Bearer {developer.token}"},
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    entries = log_entries(log)
    shown = [entry["message"] for entry in entries if entry["logger"] == "tortoise.db_client"]
    who = next(entry for entry in entries if entry.get("operation") == "WhoAmI")
    # The session lookup among them, and still counted into the request's line.
    assert any("FROM user_session s" in message for message in shown), shown[-5:]
    assert who["sql_statements"] >= 1


class Collector:
    """A real OTLP/HTTP trace collector on 127.0.0.1 that keeps every span it is sent."""

    def __init__(self) -> None:
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
        )

        self.spans: list[Any] = []
        collector = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                export = ExportTraceServiceRequest.FromString(body)
                for resource_spans in export.resource_spans:
                    for scope_spans in resource_spans.scope_spans:
                        collector.spans.extend(
                            (resource_spans.resource, span) for span in scope_spans.spans
                        )
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


async def test_traces_go_to_the_otlp_endpoint_and_continue_the_callers_trace(tmp_path: Path):
    pytest.importorskip("opentelemetry.exporter.otlp.proto.http", reason="the otel extra")
    collector = Collector()
    env = service_env(
        f"sqlite://{tmp_path / 'traced.sqlite3'}",
        OTEL_SERVICE_NAME="devhub-under-test",
        OTEL_EXPORTER_OTLP_ENDPOINT=collector.url,
        OTEL_BSP_SCHEDULE_DELAY="50",
    )
    cli(env, "migrate")
    server = start_server(env)
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{env['DEVHUB_PORT']}") as http:
            response = await http.post(
                "/graphql",
                json={"query": "query Categories { categories { slug } }"},
                headers={"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"},
            )
            assert response.status_code == 200

        def traced() -> bool:
            return any(span.trace_id.hex() == trace_id for _, span in collector.spans)

        wait_until(traced, 20, "the request's span at the collector")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        collector.close()
    [(resource, span)] = [(r, s) for r, s in collector.spans if s.trace_id.hex() == trace_id]
    attributes = {a.key: a.value for a in span.attributes}
    assert span.name == "query Categories"
    assert attributes["graphql.operation.name"].string_value == "Categories"
    assert attributes["devhub.request_id"].string_value == response.headers["x-request-id"]
    assert attributes["devhub.sql_statements"].int_value >= 1
    service = {a.key: a.value.string_value for a in resource.attributes}["service.name"]
    assert service == "devhub-under-test"


async def test_metrics_can_require_a_bearer_token(settings, clock, database):
    from dataclasses import replace

    from devhub_gql.app import create_app

    token = "m" * 40
    service = create_app(replace(settings, metrics_token=token), clock=clock, manage_database=False)
    transport = httpx.ASGITransport(app=service)
    async with httpx.AsyncClient(transport=transport, base_url="http://devhub.test") as http:
        refused = await http.get("/metrics")
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == 'Bearer realm="metrics"'
        assert "devhub_http_requests_total" not in refused.text
        wrong = await http.get("/metrics", headers={"authorization": f"Bearer {'x' * 40}"})
        assert wrong.status_code == 401
        allowed = await http.get("/metrics", headers={"authorization": f"Bearer {token}"})
        assert allowed.status_code == 200
        assert "devhub_http_requests_total" in allowed.text


def test_a_short_metrics_token_stops_start_up():
    from devhub_gql.settings import Settings, SettingsError

    with pytest.raises(SettingsError, match="DEVHUB_METRICS_TOKEN"):
        Settings.from_env({"DEVHUB_METRICS_TOKEN": "short"})
