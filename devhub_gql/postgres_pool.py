"""Tortoise's PostgreSQL client, with two costs per statement taken out of the hot reads.

1. No reset query when a pooled connection goes back. asyncpg's pool sends `SELECT
   pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;` each time, and Tortoise takes a
   pooled connection for every statement outside a transaction and for every transaction: a
   second round trip for each read. Measured here, a one-row SELECT through Tortoise cost 169 us
   of CPU with it and 111 us without. The service leaves no session state for the reset to undo:
   it takes no advisory locks, declares no cursors, sets nothing for the session, and its one
   LISTEN (events.listen_to_postgres) is on a connection of its own. asyncpg still rolls back a
   transaction left open (Connection._reset does that whatever the reset query).

2. The hand-written reads sent outside a transaction (devhub_gql/sql.py: the session lookup,
   the pages) run on connections of their own, from a free list that serves waiting statements
   in turn (StatementConnections), instead of asyncpg's pool. The pool's acquire and release (a
   proxy object, an inactivity timer set and cancelled, a task to shield the release) cost more
   than the statement's own client work: an app's detail, two such reads, took 1,094 us of CPU
   in-process through the pool and 841-848 us through the free list. Statements inside a
   transaction stay on the transaction's connection.

Selected by the engine name in `db.connection_config`, as the SQLite client is.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, cast

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient

# What asyncpg.create_pool takes that asyncpg.connect does not (in Tortoise's pool template).
_POOL_ONLY = frozenset(
    {"min_size", "max_size", "loop", "max_queries", "max_inactive_connection_lifetime", "setup"}
)


class PooledConnection(asyncpg.Connection):
    def get_reset_query(self) -> str:
        return ""


class StatementConnections:
    """Up to `size` connections for single statements outside a transaction, opened when first
    needed. When all are busy a statement waits its turn: a connection given back goes to the
    longest waiting statement, never to one that arrived later (with a plain queue, a newcomer
    that finds it free first takes it, and under load some requests waited seconds)."""

    def __init__(self, connect: Callable[[], Awaitable[asyncpg.Connection]], size: int) -> None:
        self._connect = connect
        self._free: list[asyncpg.Connection | None] = [None] * size  # None: not connected yet
        self._waiting: deque[asyncio.Future[asyncpg.Connection | None]] = deque()
        self._opened: set[asyncpg.Connection] = set()

    async def fetch(self, query: str, values: Sequence[Any]) -> list[asyncpg.Record]:
        # A connection whose statement was cancelled goes back as it is: asyncpg makes its next
        # statement wait until the server has confirmed the cancellation.
        connection = await self._take()
        try:
            if connection is None or connection.is_closed():
                if connection is not None:  # cut off (a server restart): replaced
                    self._opened.discard(connection)
                connection = await self._connect()
                self._opened.add(connection)
            return await connection.fetch(query, *values)
        finally:
            self._give(connection)

    async def _take(self) -> asyncpg.Connection | None:
        if self._free and not self._waiting:
            return self._free.pop()
        turn: asyncio.Future[asyncpg.Connection | None] = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            return await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # handed one just as it was cancelled
                self._give(turn.result())
            elif turn in self._waiting:
                self._waiting.remove(turn)
            raise

    def _give(self, connection: asyncpg.Connection | None) -> None:
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(connection)
                return
        self._free.append(connection)

    async def close(self) -> None:
        opened, self._opened = self._opened, set()
        await asyncio.gather(*(connection.close() for connection in opened))


class PostgresClient(AsyncpgDBClient):
    connection_class = PooledConnection
    statements: StatementConnections | None = None

    async def create_connection(self, with_db: bool) -> None:
        await super().create_connection(with_db)
        if self.statements is None:
            template = self._template.items()
            settings = {key: value for key, value in template if key not in _POOL_ONLY}
            connect = partial(asyncpg.connect, password=self.password, **settings)
            self.statements = StatementConnections(connect, self.pool_maxsize)

    async def close(self) -> None:
        if self.statements is not None:
            await self.statements.close()
            self.statements = None
        await super().close()

    async def fetch_dicts(self, query: str, values: Sequence[Any]) -> list[dict[str, Any]]:
        """A statement outside any transaction, on a statement connection; logged and its errors
        translated as Tortoise's own execute_query_dict does."""
        if self.statements is None:  # the first statement: made once, as Tortoise makes its pool
            async with self._pool_init_lock:
                if self.statements is None:
                    await self.create_connection(with_db=True)
        self.log.debug("%s: %s", query, values)
        # Tortoise annotates _translate_exceptions as returning Exception; it returns the call's.
        rows = cast(list[asyncpg.Record], await self._translate_exceptions(_fetch, query, values))
        return [dict(row) for row in rows]


async def _fetch(client: PostgresClient, query: str, values: Sequence[Any]) -> list[asyncpg.Record]:
    assert client.statements is not None
    return await client.statements.fetch(query, values)


client_class = PostgresClient
