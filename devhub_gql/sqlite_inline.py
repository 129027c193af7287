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

import sqlite3
from collections.abc import Callable, Generator, Sequence
from functools import partial
from typing import Any

import aiosqlite
from tortoise.backends.sqlite.client import SqliteClient, translate_exceptions
from tortoise.exceptions import IntegrityError, OperationalError

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


class InlineSqliteClient(SqliteClient):
    def __init__(self, file_path: str, **kwargs: Any) -> None:
        super().__init__(file_path, **kwargs)
        self._column_names: dict[str, tuple[str, ...]] = {}

    async def create_connection(self, with_db: bool) -> None:
        if not self._connection:
            self._connection = await connect(self.filename)
            self._connection._conn.row_factory = sqlite3.Row
            for pragma, value in self.pragmas.items():
                cursor = await self._connection.execute(f"PRAGMA {pragma}={value}")
                await cursor.close()
            await self._post_connect()

    @translate_exceptions
    async def execute_query(
        self, query: str, values: list[Any] | None = None
    ) -> tuple[int, Sequence[Any]]:
        """Tortoise's execute_query, without taking its lock when nothing holds it: the statement
        runs at once, so nothing can take the lock meanwhile. While a transaction holds it (the
        one connection is inside that transaction), the statement waits its turn as Tortoise's
        own does."""
        if self._lock.locked() or self._connection is None:
            return await super().execute_query(query, values)
        query = query.replace("\x00", "'||CHAR(0)||'")
        self.log.debug("%s: %s", query, values)
        connection = self._connection._conn
        start = connection.total_changes
        rows = connection.execute(query, values or ()).fetchall()
        return (connection.total_changes - start) or len(rows), rows

    async def fetch_dicts(self, query: str, values: Sequence[Any]) -> list[dict[str, Any]]:
        """A parameterised statement's rows as dicts (devhub_gql/sql.py), as execute_query runs
        it: at once when nothing holds the lock, else in its turn. Each row is zipped with the
        statement's column names, read once per statement text: looking a sqlite3.Row's names
        up anew for every call was a tenth of an introspection's read."""
        if self._lock.locked() or self._connection is None:
            _, rows = await self.execute_query(query, list(values))
            return [dict(zip(row.keys(), row, strict=True)) for row in rows]
        self.log.debug("%s: %s", query, values)
        try:
            cursor = self._connection._conn.execute(query, values)
            rows = cursor.fetchall()
        except sqlite3.OperationalError as exc:
            raise OperationalError(exc) from exc
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(exc) from exc
        if not rows:
            return []
        names = self._column_names.get(query)
        if names is None:
            if len(self._column_names) >= COLUMN_NAMES_KEPT:
                self._column_names.clear()
            names = self._column_names[query] = tuple(column[0] for column in cursor.description)
        return [dict(zip(names, row, strict=True)) for row in rows]


client_class = InlineSqliteClient
