"""What each database's client costs a request beyond its statements.

On SQLite every statement runs on the event loop's own thread: no hand-off to a worker thread and
back per statement (each cost more CPU than the statement it carried). On PostgreSQL a statement
is one round trip: no reset query each time its pooled connection goes back to the pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import threading
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.exceptions import OperationalError
from tortoise.transactions import in_transaction

from devhub_gql import sql
from devhub_gql.app import create_app as create_service
from devhub_gql.clock import ManualClock
from devhub_gql.db import tortoise_config
from devhub_gql.postgres_pool import StatementConnections
from devhub_gql.settings import Settings
from tests.oauth.support import install, introspect, live_private_app, token_request
from tests.support import GraphQLClient, count_statements, create_app, sign_up

APP_NAME = "query AppName($id: ID!) { app(id: $id) { name } }"
SSL_REQUEST = 80877103  # the start-up code a client sends first to ask for TLS


async def test_statements_run_on_the_event_loops_thread(
    gql: GraphQLClient, http: httpx.AsyncClient, database_url: str, receiver
):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only: asyncpg speaks to PostgreSQL from the loop already")
    connection = Tortoise.get_connection("default")
    raw = connection._connection._conn  # the sqlite3 connection underneath
    threads: list[int] = []
    raw.set_trace_callback(lambda statement: threads.append(threading.get_ident()))
    try:
        developer = await sign_up(gql, "dev@example.com")
        customer = await sign_up(gql, "buyer@example.com", kind="PRODUCTION", company="Buyer")
        app = await live_private_app(gql, developer, f"{receiver.url}/callback")
        tokens = await install(gql, http, customer, app)
        refreshed = await token_request(
            http, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
        )
        assert refreshed.status_code == 200
        assert (await introspect(http, app, tokens["access_token"]))["active"] is True
    finally:
        raw.set_trace_callback(None)
    assert len(threads) > 20
    assert set(threads) == {threading.get_ident()}


async def test_a_read_outside_a_transaction_waits_for_the_open_one(
    database: TortoiseContext, database_url: str
):
    """SQLite has one connection: a statement sent while another task's transaction is open
    would run inside it, seeing (and losing with it) what it has not committed. It waits."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only: PostgreSQL runs it on a connection of its own")
    await sql.execute("CREATE TABLE tally (n INTEGER NOT NULL)")
    await sql.execute("INSERT INTO tally (n) VALUES (0)")
    opened, release = asyncio.Event(), asyncio.Event()

    async def change_then_roll_back() -> None:
        with contextlib.suppress(LookupError):
            async with in_transaction():
                await sql.execute("UPDATE tally SET n = 1")
                opened.set()
                await release.wait()
                raise LookupError("rolled back")

    writer = asyncio.create_task(change_then_roll_back())
    await opened.wait()
    read = asyncio.create_task(sql.row("SELECT n FROM tally"))
    for _ in range(5):  # turns of the loop, not time: the read gets every chance to run
        await asyncio.sleep(0)
    assert not read.done()
    release.set()
    await writer
    assert await read == {"n": 0}


async def test_reads_answer_each_statement_with_its_own_columns(database: TortoiseContext):
    """The hand-written reads come back as dicts named by their statement's columns (kept per
    statement text on SQLite); a refused statement raises Tortoise's error, as the ORM's do."""
    await sql.execute("CREATE TABLE pair (a INTEGER NOT NULL, b TEXT NOT NULL)")
    await sql.execute("INSERT INTO pair (a, b) VALUES (?, ?), (?, ?)", 1, "one", 2, "two")
    for _ in range(2):  # the second time from the names kept
        assert await sql.rows("SELECT a, b FROM pair ORDER BY a") == [
            {"a": 1, "b": "one"},
            {"a": 2, "b": "two"},
        ]
        assert await sql.rows("SELECT b AS name, a * 10 AS tens FROM pair WHERE a = ?", 2) == [
            {"name": "two", "tens": 20}
        ]
        assert await sql.rows("SELECT a FROM pair WHERE a > ?", 5) == []
    with pytest.raises(OperationalError):
        await sql.rows("SELECT * FROM no_such_table")
    assert await sql.row("SELECT count(*) AS n FROM pair") == {"n": 2}


async def test_a_transaction_keeps_its_writes_only_when_it_ends_well(database: TortoiseContext):
    """What a mutation relies on: inside, its writes are seen; an error undoes all of them, a
    nested transaction's error only its own; otherwise they stay."""
    await sql.execute("CREATE TABLE entry (n INTEGER NOT NULL)")

    async def entries() -> list[int]:
        return [row["n"] for row in await sql.rows("SELECT n FROM entry ORDER BY n")]

    with contextlib.suppress(LookupError):
        async with in_transaction():
            await sql.execute("INSERT INTO entry (n) VALUES (?)", 1)
            assert await entries() == [1]
            raise LookupError("undone")
    assert await entries() == []
    async with in_transaction():
        await sql.execute("INSERT INTO entry (n) VALUES (?)", 2)
        with contextlib.suppress(LookupError):
            async with in_transaction():
                await sql.execute("INSERT INTO entry (n) VALUES (?)", 3)
                assert await entries() == [2, 3]
                raise LookupError("only the nested one")
        assert await entries() == [2]
        await sql.execute("INSERT INTO entry (n) VALUES (?)", 4)
    assert await entries() == [2, 4]
    changed = await sql.execute("UPDATE entry SET n = n + 10")
    assert changed == 2
    assert await entries() == [12, 14]


def test_times_are_written_for_sqlite_as_tortoise_writes_them():
    """The text SQLite compares: isoformat with a space, each value with its own zone's offset
    (an instant already written in UTC is not reused for the same instant elsewhere)."""
    moment = datetime(2026, 12, 7, 1, 2, 3, 456789, tzinfo=UTC)
    elsewhere = moment.astimezone(timezone(timedelta(hours=2)))
    on_the_second = moment.replace(microsecond=0)
    for value in (moment, elsewhere, on_the_second, moment, elsewhere, on_the_second):
        assert sql.sqlite_text(value) == value.isoformat(" ")
    assert sql.sqlite_text(moment) != sql.sqlite_text(elsewhere)
    assert [sql.sqlite_text(moment + timedelta(microseconds=n)) for n in range(600)] == [
        (moment + timedelta(microseconds=n)).isoformat(" ") for n in range(600)
    ]


class CountingProxy:
    """A TCP relay on 127.0.0.1 in front of PostgreSQL that counts the round trips clients ask
    for: a simple query ('Q') or the Sync ('S') that ends an extended-protocol exchange."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.round_trips = 0
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> int:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def __aexit__(self, *_: object) -> None:
        assert self.server is not None
        self.server.close()

    async def _relay(self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter):
        server_in, server_out = await asyncio.open_connection(*self.upstream)
        tasks = [
            asyncio.create_task(self._client_to_server(client_in, server_out)),
            asyncio.create_task(self._pipe(server_in, client_out)),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        client_out.close()
        server_out.close()

    async def _client_to_server(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:  # the untyped start-up messages (SSLRequest, StartupMessage) come first
                head = await reader.readexactly(8)
                length, code = struct.unpack("!ii", head)
                writer.write(head + await reader.readexactly(length - 8))
                if code != SSL_REQUEST:
                    break
            while True:
                head = await reader.readexactly(5)
                kind, length = head[:1], struct.unpack("!i", head[1:])[0]
                if kind in (b"Q", b"S"):
                    self.round_trips += 1
                writer.write(head + await reader.readexactly(length - 4))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                writer.write(data)


async def test_each_statement_is_one_round_trip_to_postgresql(
    database: TortoiseContext, database_url: str
):
    if not database_url.startswith("postgres"):
        pytest.skip("PostgreSQL only: the SQLite client has no pool")
    upstream = urlsplit(database_url)
    proxy = CountingProxy(upstream.hostname or "127.0.0.1", upstream.port or 5432)
    async with proxy as port, TortoiseContext() as context:
        proxied = urlunsplit(upstream._replace(netloc=f"{upstream.username}@127.0.0.1:{port}"))
        await context.init(config=tortoise_config(proxied))
        service = create_service(
            Settings(database_url=proxied, env="development", response_cache=False),
            clock=ManualClock(datetime.now(UTC)),
            manage_database=False,
        )
        transport = httpx.ASGITransport(app=service)
        async with httpx.AsyncClient(transport=transport, base_url="http://devhub.test") as http:
            gql = GraphQLClient(http)
            developer = await sign_up(gql, "dev@example.com")
            app = (await create_app(gql, developer))["app"]
            for _ in range(2):  # each statement is prepared on its connection once
                await gql.data(APP_NAME, {"id": app["id"]}, token=developer.token)
            before = proxy.round_trips
            with count_statements() as counted:
                data = await gql.data(APP_NAME, {"id": app["id"]}, token=developer.token)
            sent = proxy.round_trips - before
    assert data["app"]["name"] == "Deal Sync"
    assert len(counted.statements) == 2  # the session, the app
    assert sent == 2


@pytest.fixture
async def postgres(database: TortoiseContext, database_url: str) -> TortoiseContext:
    if not database_url.startswith("postgres"):
        pytest.skip("PostgreSQL only: SQLite has one connection")
    return database


async def test_more_reads_at_once_than_connections_all_answer(postgres: TortoiseContext):
    reads = [sql.rows("SELECT ?::int AS n", n) for n in range(40)]  # the client keeps 5
    answers = await asyncio.wait_for(asyncio.gather(*reads), timeout=10)
    assert [rows[0]["n"] for rows in answers] == list(range(40))


async def test_reads_cancelled_mid_statement_leave_no_connection_behind_them(
    postgres: TortoiseContext,
):
    # Twice as many as the client keeps connections: some are cancelled while they wait for one.
    slow = [asyncio.create_task(sql.rows("SELECT pg_sleep(5)")) for _ in range(10)]
    await asyncio.sleep(0)  # each runs until it waits for the server or for a connection
    for read in slow:
        read.cancel()
    for read in slow:
        with pytest.raises(asyncio.CancelledError):
            await read
    # The next read neither waits behind the cancelled ones nor finds their connections gone.
    assert await asyncio.wait_for(sql.rows("SELECT 2 AS two"), timeout=2) == [{"two": 2}]


async def test_a_refused_read_raises_tortoises_error_and_the_next_one_answers(
    postgres: TortoiseContext,
):
    with pytest.raises(OperationalError):
        await sql.rows("SELECT * FROM no_such_table")
    assert await sql.rows("SELECT 3 AS three") == [{"three": 3}]


async def test_a_read_waiting_for_a_connection_goes_before_one_that_comes_later(
    postgres: TortoiseContext, database_url: str
):
    url = database_url.replace("postgres://", "postgresql://", 1)
    statements = StatementConnections(partial(asyncpg.connect, url), size=1)
    holder = await asyncpg.connect(url)
    await holder.execute("SELECT pg_advisory_lock(7)")  # the first read below waits for it
    finished: list[str] = []

    async def two_in_a_row() -> None:  # as a request's session lookup, then its page
        await statements.fetch("SELECT pg_advisory_xact_lock_shared(7)", [])
        finished.append("first of two")
        await statements.fetch("SELECT 1", [])
        finished.append("second of two")

    async def one() -> None:
        await statements.fetch("SELECT 1", [])
        finished.append("the waiting one")

    try:
        first = asyncio.create_task(two_in_a_row())
        await asyncio.sleep(0)  # it takes the only connection
        waiting = asyncio.create_task(one())
        await asyncio.sleep(0)  # it waits for the connection
        await holder.execute("SELECT pg_advisory_unlock(7)")
        await asyncio.wait_for(asyncio.gather(first, waiting), timeout=5)
    finally:
        await holder.close()
        await statements.close()
    assert finished == ["first of two", "the waiting one", "second of two"]


async def test_reads_that_open_the_client_at_once_open_it_once(
    postgres: TortoiseContext, database_url: str
):
    named = f"{database_url}?application_name=opened_once"
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(named))
        # The first statements of a fresh process, all at once, before any connection exists.
        await asyncio.gather(*(sql.rows("SELECT ?::int AS n", n) for n in range(20)))
        opened = await sql.rows(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'opened_once'"
        )
    # Tortoise's pool (its one connection kept open) and the 5 statement connections at most.
    assert opened[0]["n"] <= 6
