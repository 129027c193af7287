"""Tortoise's SQLite client with its statements run on the event loop's own thread.

aiosqlite runs every call on a thread of its own and hands the answer back to the loop: a queue
put that wakes the thread, then a write to the loop's self-pipe that wakes the loop. Measured
here, that round trip costs 95-100 us of CPU and 125-135 us of wall time, while the statements
the service sends take 1-50 us: a refresh grant (then six round trips: BEGIN, four statements,
COMMIT) spent more in the hand-offs than in SQLite.

The price of running inline: while a statement runs, the loop does nothing else. Every request
of the service needs the one SQLite connection, which runs one statement at a time anyway, so
little concurrency is lost. The exception is a write waiting for another process's lock (a CLI
command, a separate outbox worker): the loop then waits too, up to the busy timeout. PostgreSQL,
the production database, is unaffected (asyncpg speaks to its server on the loop).

The write-ahead log is copied back into the database file by a thread of its own (Checkpointer),
not by the commit that fills it: that copy, inline, paused the loop for 0.4-3.6 ms.

Selected by the engine name in `db.connection_config`; the client is Tortoise's own otherwise.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Generator
from functools import partial
from typing import Any

import aiosqlite
from tortoise.backends.sqlite.client import SqliteClient

logger = logging.getLogger("devhub_gql.sqlite")

# aiosqlite's default: rows a cursor fetches per call when iterated.
ITER_CHUNK_SIZE = 64
# How often the checkpointer copies what the log has gained back into the database file.
CHECKPOINT_SECONDS = 0.05


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


class Checkpointer:
    """Copies the write-ahead log back into the database file, on a thread of its own.

    By default the commit that takes the log past `wal_autocheckpoint` pages does the copying
    before it returns: here, on the event loop, every request waiting on the loop waited with it
    (a mean of 48 us over a refresh grant's commits, as long as 3.6 ms for the one that copied,
    measured here). The connections turn that off (db.SQLITE_PRAGMAS) and this thread runs a
    PASSIVE checkpoint every CHECKPOINT_SECONDS on a connection of its own instead: it waits for
    no reader or writer and blocks none, and sqlite3 lets go of the GIL while SQLite copies.
    Pages a reader still needs stay in the log until a later round.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpointer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        try:
            while not self._stop.wait(CHECKPOINT_SECONDS):
                self._checkpoint(connection)
            self._checkpoint(connection)  # what the last writes left
        finally:
            connection.close()

    @staticmethod
    def _checkpoint(connection: sqlite3.Connection) -> None:
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:  # a disk full or a file gone: said, and tried again later
            logger.warning("checkpoint of the SQLite log failed: %s", exc)

    def stop(self) -> None:
        """After a last round for the writes made so far."""
        self._stop.set()
        self._thread.join()


def checkpointer_for(path: str) -> Checkpointer | None:
    """A checkpointer for a database file (an in-memory database has no log)."""
    return None if path == ":memory:" or path.startswith("file::memory:") else Checkpointer(path)


class InlineSqliteClient(SqliteClient):
    checkpointer: Checkpointer | None = None

    async def create_connection(self, with_db: bool) -> None:
        if not self._connection:
            self._connection = await connect(self.filename)
            self._connection._conn.row_factory = sqlite3.Row
            for pragma, value in self.pragmas.items():
                cursor = await self._connection.execute(f"PRAGMA {pragma}={value}")
                await cursor.close()
            await self._post_connect()
            if self.checkpointer is None:
                self.checkpointer = checkpointer_for(self.filename)

    async def close(self) -> None:
        await super().close()
        if self.checkpointer is not None:
            self.checkpointer.stop()
            self.checkpointer = None


client_class = InlineSqliteClient
