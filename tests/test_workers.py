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


def ping_and_scrape(url: str, metrics_directory: Path) -> tuple[int, list[float]]:
    from prometheus_client.parser import text_string_to_metric_families

    for _ in range(20):
        with httpx.Client() as client:  # new connections, spread over both workers
            client.post(f"{url}/graphql", json={"query": "query Ping { __typename }"})
    writers = {path.stem.rpartition("_")[2] for path in metrics_directory.glob("counter_*.db")}
    scraped = httpx.get(f"{url}/metrics").text  # one worker answers for both
    pings = [
        sample.value
        for family in text_string_to_metric_families(scraped)
        for sample in family.samples
        if sample.name == "devhub_graphql_operations_total" and sample.labels["operation"] == "Ping"
    ]
    return len(writers), pings


async def test_metrics_add_up_across_workers(two_workers, metrics_directory: Path):
    writers, pings = await asyncio.to_thread(ping_and_scrape, two_workers, metrics_directory)
    assert writers == 2  # both worker processes counted some of the requests
    assert pings == [20]
