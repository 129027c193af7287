"""Several uvicorn workers on PostgreSQL see each other's marketplace changes within a second."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from devhub_gql.models import App, AppStatus
from tests.processes import service_env, start_server
from tests.support import UPDATE_APP, GraphQLClient, create_app, fill_listing, sign_up

ROOT = Path(__file__).resolve().parents[1]
LIST = "{ marketplaceApps(first: 5) { edges { node { name summary } } } }"


@pytest.fixture
def metrics_directory(tmp_path: Path) -> Path:
    directory = tmp_path / "metrics"
    directory.mkdir()
    return directory


@pytest.fixture
def two_workers(database_url: str, database, metrics_directory: Path):
    if not database_url.startswith("postgres"):
        pytest.skip("several workers need PostgreSQL: set DEVHUB_TEST_DATABASE_URL")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEVHUB_ENV": "development",
        "DEVHUB_PORT": str(port),
        "DEVHUB_LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_directory),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "devhub_gql.cli", "serve", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.post(f"{url}/graphql", json={"query": "{ __typename }"}, timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)  # waiting for a process to start, not for the clock
    yield url
    server.terminate()
    server.wait(timeout=30)


def anonymous_summaries(url: str, requests: int) -> list[str]:
    summaries = []
    for _ in range(requests):
        # A new connection each time, so both workers answer.
        with httpx.Client() as client:
            body = client.post(f"{url}/graphql", json={"query": LIST}).json()
        summaries.append(body["data"]["marketplaceApps"]["edges"][0]["node"]["summary"])
    return summaries


async def test_a_change_reaches_every_worker_within_a_second(gql: GraphQLClient, two_workers):
    developer = await sign_up(gql, "dev@example.com")
    app_id = (await create_app(gql, developer))["app"]["id"]
    await fill_listing(gql, developer, app_id, summary="Before.")
    await App.filter(name="Deal Sync").update(status=AppStatus.PUBLISHED)
    await gql.data(
        UPDATE_APP, {"input": {"id": app_id, "summary": "Cached."}}, token=developer.token
    )
    assert set(anonymous_summaries(two_workers, 20)) == {"Cached."}  # both caches warm

    await gql.data(
        UPDATE_APP, {"input": {"id": app_id, "summary": "After."}}, token=developer.token
    )
    changed_at = time.monotonic()
    while time.monotonic() - changed_at < 1.5:
        if set(anonymous_summaries(two_workers, 10)) == {"After."}:
            break
    seen_after = time.monotonic() - changed_at
    assert set(anonymous_summaries(two_workers, 20)) == {"After."}
    assert seen_after < 1.5, f"every worker saw the change only after {seen_after:.2f} s"


@pytest.fixture
def two_servers(database_url: str, database, metrics_directory: Path):
    """Two `devhub-gql serve` processes, each on its own port, one database, one metrics directory:
    two workers whose share of the requests the test decides."""
    if not database_url.startswith("postgres"):
        pytest.skip("several server processes need PostgreSQL: set DEVHUB_TEST_DATABASE_URL")
    servers: list[tuple[str, subprocess.Popen]] = []
    try:
        for _ in range(2):
            env = service_env(database_url, PROMETHEUS_MULTIPROC_DIR=str(metrics_directory))
            servers.append((f"http://127.0.0.1:{env['DEVHUB_PORT']}", start_server(env)))
        yield servers
    finally:
        for _, process in servers:
            process.terminate()
        for _, process in servers:
            process.wait(timeout=30)


def ping_and_scrape(
    servers, counts: list[int], metrics_directory: Path
) -> tuple[list[dict[str, float]], set[int]]:
    """Send each server its number of Ping operations; then what each one's /metrics reports, and
    the processes that wrote counters to the metrics directory."""
    from prometheus_client.parser import text_string_to_metric_families

    for (url, _), count in zip(servers, counts, strict=True):
        with httpx.Client(base_url=url) as client:
            for _ in range(count):
                response = client.post("/graphql", json={"query": "query Ping { __typename }"})
                assert response.json() == {"data": {"__typename": "Query"}}
    reports = []
    for url, _ in servers:
        samples = {}
        for family in text_string_to_metric_families(httpx.get(f"{url}/metrics").text):
            for sample in family.samples:
                if sample.name == "devhub_graphql_operations_total":
                    if sample.labels["operation"] == "Ping":
                        samples["operations"] = samples.get("operations", 0) + sample.value
                if sample.name == "devhub_http_requests_total":
                    if sample.labels["route"] == "/graphql" and sample.labels["status"] == "200":
                        samples["requests"] = samples.get("requests", 0) + sample.value
        reports.append(samples)
    writers = {int(path.stem.rpartition("_")[2]) for path in metrics_directory.glob("counter_*.db")}
    return reports, writers


async def test_metrics_add_up_across_workers(two_servers, metrics_directory: Path):
    reports, writers = await asyncio.to_thread(
        ping_and_scrape, two_servers, [7, 13], metrics_directory
    )
    assert writers == {process.pid for _, process in two_servers}
    # Either process answers for both: 7 + 13.
    assert reports == [{"operations": 20, "requests": 20}] * 2
