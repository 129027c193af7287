"""Several service processes on one PostgreSQL database behave as one: a write answered by one is
seen by the next read on the other, and /metrics adds up both processes' counts. `serve
--workers N` spreads its connections over its workers and keeps N of them running."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from devhub_gql.models import App, AppStatus
from devhub_gql.workers import WATCH_SECONDS
from tests.processes import free_port, service_env, start_server, wait_until
from tests.support import UPDATE_APP, GraphQLClient, create_app, fill_listing, sign_up

ROOT = Path(__file__).resolve().parents[1]
LIST = "{ marketplaceApps(first: 5) { edges { node { name summary } } } }"


@pytest.fixture
def metrics_directory(tmp_path: Path) -> Path:
    directory = tmp_path / "metrics"
    directory.mkdir()
    return directory


@contextmanager
def serving_twice(database_url: str, **env: str) -> Iterator[list[tuple[str, subprocess.Popen]]]:
    """Two `devhub-gql serve` processes, each on its own port (as on two hosts), one database:
    two workers whose share of the requests the test decides."""
    if not database_url.startswith("postgres"):
        pytest.skip("several server processes need PostgreSQL: set DEVHUB_TEST_DATABASE_URL")
    servers: list[tuple[str, subprocess.Popen]] = []
    try:
        for _ in range(2):
            settings = service_env(database_url, **env)
            servers.append((f"http://127.0.0.1:{settings['DEVHUB_PORT']}", start_server(settings)))
        yield servers
    finally:
        for _, process in servers:
            process.terminate()
        for _, process in servers:
            process.wait(timeout=30)


@pytest.fixture
def two_servers(database_url: str, database, metrics_directory: Path):
    with serving_twice(database_url, PROMETHEUS_MULTIPROC_DIR=str(metrics_directory)) as servers:
        yield servers


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


def anonymous_read(url: str) -> tuple[str, str]:
    """The first listing's summary as one server answers it, and whether from its cache."""
    response = httpx.post(f"{url}/graphql", json={"query": LIST})
    summary = response.json()["data"]["marketplaceApps"]["edges"][0]["node"]["summary"]
    return summary, response.headers["x-devhub-cache"]


def company_read(url: str, token: str) -> tuple[str, str]:
    """The developer's first app's use-case note (company data), and whether from the cache."""
    response = httpx.post(
        f"{url}/graphql",
        json={"query": "{ apps(first: 1) { nodes { useCase } } }"},
        headers={"authorization": f"Bearer {token}"},
    )
    return response.json()["data"]["apps"]["nodes"][0]["useCase"], response.headers[
        "x-devhub-cache"
    ]


async def test_a_write_answered_by_one_server_is_seen_by_the_next_read_on_the_other(
    gql: GraphQLClient, two_servers
):
    (first, _), (second, _) = two_servers
    developer = await sign_up(gql, "dev@example.com")
    app_id = (await create_app(gql, developer))["app"]["id"]
    await fill_listing(gql, developer, app_id, summary="Before.")
    await App.filter(name="Deal Sync").update(status=AppStatus.PUBLISHED)
    await gql.data(
        UPDATE_APP, {"input": {"id": app_id, "summary": "Cached."}}, token=developer.token
    )
    for url in (first, second):  # both caches warm
        assert await asyncio.to_thread(anonymous_read, url) == ("Cached.", "miss")
        assert await asyncio.to_thread(anonymous_read, url) == ("Cached.", "hit")

    async with httpx.AsyncClient(base_url=first) as via_first:  # the write, answered by one
        changed = await GraphQLClient(via_first).data(
            UPDATE_APP, {"input": {"id": app_id, "summary": "After."}}, token=developer.token
        )
    assert changed["updateApp"]["userErrors"] == []
    # The very next read on the other server, with no time allowed to pass, sees it.
    assert await asyncio.to_thread(anonymous_read, second) == ("After.", "miss")
    assert await asyncio.to_thread(anonymous_read, second) == ("After.", "hit")
    assert await asyncio.to_thread(anonymous_read, first) == ("After.", "miss")

    # Company data, read signed in: the same across processes.
    for url in (first, second):
        assert await asyncio.to_thread(company_read, url, developer.token) == (None, "miss")
        assert await asyncio.to_thread(company_read, url, developer.token) == (None, "hit")
    async with httpx.AsyncClient(base_url=second) as via_second:
        await GraphQLClient(via_second).data(
            UPDATE_APP, {"input": {"id": app_id, "useCase": "Sync."}}, token=developer.token
        )
    assert await asyncio.to_thread(company_read, first, developer.token) == ("Sync.", "miss")


# -- serve --workers N --------------------------------------------------------------------------

DISCOVERY = b"GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: test\r\n\r\n"


@pytest.fixture
def two_workers(database_url: str, database) -> Iterator[tuple[int, subprocess.Popen]]:
    """`devhub-gql serve --workers 2`: its port and its supervising process."""
    if not database_url.startswith("postgres"):
        pytest.skip("several workers need PostgreSQL: set DEVHUB_TEST_DATABASE_URL")
    env = service_env(database_url)
    process = start_server(env, "--workers", "2")
    try:
        yield int(env["DEVHUB_PORT"]), process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def workers_of(supervisor: int) -> list[int]:
    """The processes `supervisor` started (Linux /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == supervisor:
                found.append(int(entry))
    return found


ESTABLISHED = "01"  # the TCP state as /proc/net/tcp spells it


def connections_per_worker(port: int, supervisor: int) -> dict[int, int]:
    """How many established connections on `port` each of the supervisor's children holds
    (Linux /proc)."""
    inodes = set()
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rpartition(":")[2], 16) == port and fields[3] == ESTABLISHED:
            inodes.add(f"socket:[{fields[9]}]")
    counts = {}
    for pid in workers_of(supervisor):
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        counts[pid] = sum(link in inodes for link in links)
    return counts


def answered(port: int) -> socket.socket:
    """A keep-alive connection that a worker has accepted and answered once."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=10)
    connection.sendall(DISCOVERY)
    assert connection.recv(12) == b"HTTP/1.1 200"
    return connection


@contextmanager
def opened_together(port: int, count: int) -> Iterator[None]:
    connections = [answered(port) for _ in range(count)]
    try:
        yield
    finally:
        for connection in connections:
            connection.close()


def serving_workers(port: int, supervisor: int) -> set[int]:
    """The workers that two connections opened one after the other land on."""
    with opened_together(port, 2):
        return {pid for pid, count in connections_per_worker(port, supervisor).items() if count}


def test_connections_opened_together_split_evenly_over_the_workers(two_workers):
    """A proxy's upstream pool or a load generator opens its connections together, and each
    stays on the worker it landed on: the supervisor hands them out in turn, 8 and 8 of 16
    every time (the kernel's SO_REUSEPORT hashing gave 3 and 13 in two of eight tries)."""
    port, supervisor = two_workers
    for _ in range(4):
        with opened_together(port, 16):
            counts = connections_per_worker(port, supervisor.pid)
            assert sorted(count for count in counts.values() if count) == [8, 8], counts


def test_a_worker_that_dies_is_replaced_and_sigterm_stops_them_all(two_workers):
    port, supervisor = two_workers
    workers = serving_workers(port, supervisor.pid)
    assert len(workers) == 2
    victim = min(workers)
    os.kill(victim, signal.SIGKILL)
    # Until the supervisor has reaped it and handed on what the victim had not taken.
    wait_until(lambda: not os.path.exists(f"/proc/{victim}"), 30, "the killed worker to go")
    for _ in range(8):  # the survivor answers while the replacement starts
        answered(port).close()
    wait_until(
        lambda: len(serving_workers(port, supervisor.pid) - {victim}) == 2,
        30,
        "a new worker in the killed one's place",
    )

    workers = serving_workers(port, supervisor.pid)
    supervisor.send_signal(signal.SIGTERM)
    assert supervisor.wait(timeout=30) == 0
    assert not [pid for pid in workers if os.path.exists(f"/proc/{pid}")]


def test_workers_stop_when_their_supervisor_is_killed(two_workers):
    """A supervisor killed outright leaves no worker serving on without it."""
    port, supervisor = two_workers
    workers = serving_workers(port, supervisor.pid)
    assert len(workers) == 2
    supervisor.send_signal(signal.SIGKILL)
    supervisor.wait(timeout=30)
    wait_until(
        lambda: not [pid for pid in workers if os.path.exists(f"/proc/{pid}")],
        30,
        "the workers to stop",
    )


def serve_two_workers_until_they_stop(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devhub_gql.cli", "serve", "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_several_workers_on_a_taken_port_fail_at_once_with_a_clear_error():
    env = service_env("postgres://postgres@127.0.0.1:5432/unused")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", int(env["DEVHUB_PORT"])))
        taken.listen()
        result = serve_two_workers_until_they_stop(env)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{env['DEVHUB_PORT']}" in result.stderr


def test_several_workers_that_cannot_start_stop_the_service():
    """A start-up that fails (here Tortoise refuses the database settings) fails every worker
    the same way: the supervisor stops instead of restarting them forever."""
    env = service_env("postgres://postgres@127.0.0.1:5432/unused?minsize=not-a-number")
    result = serve_two_workers_until_they_stop(env)
    assert result.returncode == 1
    assert "Application startup failed" in result.stderr
    assert "could not start (exit status 3); stopping" in result.stderr


def two_workers_of(tmp_path: Path, app: str, port: int) -> dict[str, Any]:
    """How to run the supervisor with two workers of `app`, a module written into `tmp_path`
    (subprocess.run or Popen arguments)."""
    script = (
        "import sys, uvicorn\n"
        "from devhub_gql.workers import serve_workers\n"
        f"config = uvicorn.Config({app!r}, host='127.0.0.1', port={port}, log_level='warning')\n"
        "sys.exit(serve_workers(config, 2))\n"
    )
    return {
        "args": [sys.executable, "-c", script],
        "cwd": ROOT,
        "env": {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])},
    }


def test_several_workers_that_die_while_starting_stop_the_service(tmp_path: Path):
    """A worker killed while it starts (the out-of-memory killer, a crash in an extension) exits
    with a signal, not uvicorn's start-up failure status. Before the service first started, any
    worker's exit stops it: restarting would fail the same way forever, the port accepting
    nothing."""
    (tmp_path / "dies_on_import.py").write_text(
        "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run(
        **two_workers_of(tmp_path, "dies_on_import:app", free_port()),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "could not start (exit status -9); stopping" in result.stderr


HELLO_APP = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hello"})
"""


def test_connections_a_killed_worker_had_not_taken_go_to_the_other(tmp_path: Path):
    """A worker killed outright (the out-of-memory killer) while connections handed to it wait
    in its channel: those go to the other worker and are answered, instead of being cut."""
    (tmp_path / "hello.py").write_text(HELLO_APP)
    port = free_port()
    log = tmp_path / "supervisor.log"
    with log.open("w") as stderr:
        supervisor = subprocess.Popen(**two_workers_of(tmp_path, "hello:app", port), stderr=stderr)
    try:
        wait_until(lambda: _answers(port), 30, "the workers to start")
        victim, survivor = [
            pid
            for pid in workers_of(supervisor.pid)
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()  # not the tracker
        ]
        os.kill(victim, signal.SIGSTOP)  # it takes nothing from its channel from now on
        connections = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(4)]
        for connection in connections:
            connection.sendall(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
        # The supervisor hands each connection out as it accepts it, in turn: two to each.
        wait_until(lambda: waiting_to_be_accepted(port) == 0, 30, "the connections handed out")
        killed = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        answers = []
        for connection in connections:
            with connection:
                answers.append(connection.recv(12))
        assert answers == [b"HTTP/1.1 200"] * 4
        # The supervisor sees the death at once (the process's sentinel), not at its next look
        # round: 8-16 ms measured here, against 450-500 ms when it only looked every 0.5 s.
        assert time.monotonic() - killed < WATCH_SECONDS / 2
        assert os.path.exists(f"/proc/{survivor}")
        assert "(2 connections handed to it and not taken go to the others)" in log.read_text()
    finally:
        supervisor.terminate()
        supervisor.wait(timeout=30)


LISTENING = "0A"  # the TCP state as /proc/net/tcp spells it


def waiting_to_be_accepted(port: int) -> int:
    """The length of the accept queue of the socket listening on `port` (Linux /proc: a
    listening socket's receive queue)."""
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rpartition(":")[2], 16) == port and fields[3] == LISTENING:
            return int(fields[4].rpartition(":")[2], 16)
    raise AssertionError(f"nothing listens on {port}")


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as connection:
            connection.sendall(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
            return connection.recv(12) == b"HTTP/1.1 200"
    except OSError:
        return False
