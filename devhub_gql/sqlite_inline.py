"""Tortoise's SQLite client with its statements run on the event loop's own thread.

aiosqlite runs every call on a thread of its own and hands the answer back to the loop: a queue
put that wakes the thread, then a write to the loop's self-pipe that wakes the loop. Measured
here, that round trip costs 95-100 us of CPU and 125-135 us of wall time, while the statements
the service sends take 1-50 us: a refresh grant (six round trips at the time: BEGIN, four
statements, COMMIT) spent more in the hand-offs than in SQLite.

The price of running inline: while a statement runs, the loop does nothing else. Every request
of the service needs the one SQLite connection, which runs one statement at a time anyway, so
little concurrency is lost. The exception is a write waiting for another process's lock (a CLI
command, a separate outbox worker): the loop then waits too, up to the busy timeout. PostgreSQL,
the production database, is unaffected (asyncpg speaks to its server on the loop).

Selected by the engine name in `db.connection_config`; the client is Tortoise's own otherwise.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Generator, Sequence
from functools import partial
from typing import Any, cast

import aiosqlite
from tortoise.backends.base.client import (
    NestedTransactionContext,
    TransactionalDBClient,
    TransactionContext,
)
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.context import require_context
from tortoise.exceptions import IntegrityError, OperationalError, TransactionManagementError

# aiosqlite's default: rows a cursor fetches per call when iterated.
ITER_CHUNK_SIZE = 64
# Statements whose column names fetch_dicts keeps: the hand-written ones are a few dozen texts.
COLUMN_NAMES_KEPT = 512


class InlineConnection(aiosqlite.Connection):
    """aiosqlite's connection API, each call run at once on the calling thread (no worker
    thread is started)."""

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    async def _connect(self) -> InlineConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self) -> Generator[Any, None, InlineConnection]:
        return self._connect().__await__()

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def close(self) -> None:
        self.stop()


def connect(path: str) -> InlineConnection:
    """As `aiosqlite.connect(path, isolation_level=None)`, inline (await it)."""
    return InlineConnection(partial(sqlite3.connect, path, isolation_level=None), ITER_CHUNK_SIZE)


class RunsInline:
    """Statements run at once on the sqlite3 connection, by the client and by its transactions.

    Tortoise's own path takes the client's lock (a transaction's: its own), wraps the call in
    aiosqlite's cursor and translates errors in a decorator. A statement that runs inline
    cannot interleave with another, so while nothing holds the lock it needs none; while
    something does (outside: a transaction on the one connection; inside: a statement of the
    same transaction still at work), it waits its turn on Tortoise's path. Each statement is
    logged through Tortoise's logger as Tortoise logs it (what counts statements listens there).
    """

    _connection: Any  # aiosqlite's Connection; the client's is None until it connects
    _lock: asyncio.Lock
    _column_names: dict[str, tuple[str, ...]]
    log: logging.Logger

    def _runs_now(self) -> bool:
        return not self._lock.locked() and self._connection is not None

    def _run(self, query: str, values: Sequence[Any]) -> tuple[sqlite3.Cursor, list[Any]]:
        assert self._connection is not None
        self.log.debug("%s: %s", query, values)
        try:
            cursor = self._connection._conn.execute(query, values)
            return cursor, cursor.fetchall()
        except sqlite3.OperationalError as exc:
            raise OperationalError(exc) from exc
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(exc) from exc

    async def execute_query(
        self, query: str, values: list[Any] | None = None
    ) -> tuple[int, Sequence[Any]]:
        """Tortoise's execute_query: the rows changed (or read), and the rows."""
        if not self._runs_now():
            # Tortoise's path. The ignore: mypy cannot see the Tortoise client this is mixed into.
            answer: tuple[int, Sequence[Any]] = await super().execute_query(query, values)  # type: ignore[misc]
            return answer
        assert self._connection is not None
        connection = self._connection._conn
        start = connection.total_changes
        _, rows = self._run(query.replace("\x00", "'||CHAR(0)||'"), values or ())
        return (connection.total_changes - start) or len(rows), rows

    async def fetch_dicts(self, query: str, values: Sequence[Any]) -> list[dict[str, Any]]:
        """A parameterised statement's rows as dicts (devhub_gql/sql.py), each zipped with the
        statement's column names, read once per statement text: looking a sqlite3.Row's names
        up anew for every call was a tenth of an introspection's read."""
        if not self._runs_now():
            _, found = await self.execute_query(query, list(values))
            return [dict(zip(row.keys(), row, strict=True)) for row in found]
        cursor, rows = self._run(query, values)
        if not rows:
            return []
        names = self._column_names.get(query)
        if names is None:
            if len(self._column_names) >= COLUMN_NAMES_KEPT:
                self._column_names.clear()
            names = self._column_names[query] = tuple(column[0] for column in cursor.description)
        return [dict(zip(names, row, strict=True)) for row in rows]


class InlineSqliteClient(RunsInline, SqliteClient):
    def __init__(self, file_path: str, **kwargs: Any) -> None:
        super().__init__(file_path, **kwargs)
        self._column_names = {}

    async def create_connection(self, with_db: bool) -> None:
        if not self._connection:
            self._connection = await connect(self.filename)
            self._connection._conn.row_factory = sqlite3.Row
            for pragma, value in self.pragmas.items():
                cursor = await self._connection.execute(f"PRAGMA {pragma}={value}")
                await cursor.close()
            await self._post_connect()

    def _in_transaction(self) -> TransactionContext:
        return InlineTransactionContext(InlineTransaction(self), self._lock)


class InlineTransactionContext(SqliteTransactionContext):
    """Tortoise's, with the task's connections reached through the context imported once:
    Tortoise's get_connections imports it on every call, and each such import formats an
    AttributeError (the module has no __path__): a fifth of an empty transaction's instructions."""

    async def __aenter__(self) -> TransactionalDBClient:
        await self._trxlock.acquire()
        await self.ensure_connection()
        self.token = require_context().connections.set(self.connection_name, self.connection)
        await self.connection.begin()
        return cast(TransactionalDBClient, self.connection)

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        try:
            if not self.connection._finalized:
                if exc_type:
                    # Can't roll back a transaction that already failed.
                    if exc_type is not TransactionManagementError:
                        await self.connection.rollback()
                else:
                    await self.connection.commit()
        finally:
            require_context().connections.reset(self.token)
            self._trxlock.release()


class InlineTransaction(RunsInline, SqliteTransactionWrapper):
    """Tortoise's SQLite transaction, with its statements, BEGIN and COMMIT run inline (through
    aiosqlite's wrappers, a sixth of an empty transaction's instructions)."""

    def __init__(self, connection: InlineSqliteClient | InlineTransaction) -> None:
        super().__init__(connection)
        self._column_names = connection._column_names

    def _in_transaction(self) -> TransactionContext:
        return NestedTransactionContext(InlineTransaction(self))

    def _sqlite(self) -> sqlite3.Connection:
        assert self._connection is not None
        return self._connection._conn

    async def begin(self) -> None:
        # As Tortoise's: whatever the connection has open is committed first.
        try:
            connection = self._sqlite()
            connection.commit()
            connection.execute("BEGIN")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc

    async def commit(self) -> None:
        if self._finalized:
            raise TransactionManagementError("Transaction already finalised")
        self._sqlite().commit()
        self._finalized = True

    async def rollback(self) -> None:
        if self._finalized:
            raise TransactionManagementError("Transaction already finalised")
        self._sqlite().rollback()
        self._finalized = True


client_class = InlineSqliteClient
