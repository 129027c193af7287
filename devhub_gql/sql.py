"""Hand-written statements for the hot paths, run through Tortoise's own connection.

The ORM builds each statement anew on every call (most of a short request's CPU); the few
statements every request or every token call sends are written once here instead, with `?`
placeholders and one spelling for both databases. They run inside Tortoise's transactions
(`in_transaction()`), so they mix with ORM statements freely.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.context import require_context

from devhub_gql.postgres_pool import PostgresClient
from devhub_gql.sqlite_inline import RunsInline

_PLACEHOLDER = re.compile(r"\?")


def connection() -> BaseDBAsyncClient:
    """Tortoise's connection for this task: a transaction's while one is open. (Tortoise's
    get_connection, without the import it runs on every call.)"""
    return require_context().connections.get("default")


def is_postgres(conn: BaseDBAsyncClient) -> bool:
    return conn.capabilities.dialect == "postgres"


def spelt(sql: str, postgres: bool) -> str:
    """A statement as the database reads it, from the one spelling it is written in.

    For PostgreSQL, `?` placeholders are numbered as asyncpg wants them ($1, $2, …) and
    `group_concat` (SQLite's aggregate that joins values) is `string_agg`. For SQLite, `FOR
    SHARE` is dropped: it has no row locks and needs none, as its write transactions take turns,
    whole.
    """
    return _for_postgres(sql) if postgres else sql.replace(" FOR SHARE", "")


@lru_cache(maxsize=256)
def _for_postgres(sql: str) -> str:
    numbers = iter(range(1, 1000))
    numbered = _PLACEHOLDER.sub(lambda _: f"${next(numbers)}", sql)
    return numbered.replace("group_concat(", "string_agg(")


def _time(value: Any, postgres: bool) -> Any:
    # Tortoise stores datetimes on SQLite as ISO text with a space; asyncpg takes them as they are.
    if isinstance(value, datetime) and not postgres:
        return sqlite_text(value)
    return value


# A request's statements mostly name the same instant, its `now` (a refresh: five times of
# seven), and isoformat is 1.5 us each time. Only UTC values are kept: an equal instant in
# another zone is written with its own offset.
_UTC_TEXTS: dict[datetime, str] = {}
UTC_TEXTS_KEPT = 256


def sqlite_text(value: datetime) -> str:
    """A datetime as SQLite holds it: `isoformat(" ")`, as Tortoise writes it."""
    if value.tzinfo is not UTC:
        return value.isoformat(" ")
    text = _UTC_TEXTS.get(value)
    if text is None:
        if len(_UTC_TEXTS) >= UTC_TEXTS_KEPT:
            _UTC_TEXTS.clear()
        text = _UTC_TEXTS[value] = value.isoformat(" ")
    return text


async def rows(sql: str, *params: Any) -> list[dict[str, Any]]:
    conn = connection()
    postgres = is_postgres(conn)
    values = [_time(value, postgres) for value in params]
    statement = spelt(sql, postgres)
    # PostgreSQL's client outside a transaction; SQLite's client and its transactions.
    if isinstance(conn, PostgresClient | RunsInline):
        return await conn.fetch_dicts(statement, values)
    return list(await conn.execute_query_dict(statement, values))  # a PostgreSQL transaction


async def row(sql: str, *params: Any) -> dict[str, Any] | None:
    found = await rows(sql, *params)
    return found[0] if found else None


async def execute(sql: str, *params: Any) -> int:
    """Run a write; the number of rows it changed."""
    conn = connection()
    postgres = is_postgres(conn)
    values = [_time(value, postgres) for value in params]
    changed, _ = await conn.execute_query(spelt(sql, postgres), values)
    return int(changed)


def moment(value: str | datetime) -> datetime:
    """A timestamp read back: SQLite answers text."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def maybe_moment(value: str | datetime | None) -> datetime | None:
    return None if value is None else moment(value)


def json_list(value: Any) -> list[Any]:
    """A JSON list column read back: text on SQLite, and from asyncpg's jsonb."""
    if isinstance(value, str | bytes):
        value = orjson.loads(value)
    return list(value or ())


def json_value(value: Any) -> Any:
    """A JSON column read back as what it holds."""
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def one_of(values: Sequence[Any]) -> str:
    """`IN (?, ?, …)` for so many values."""
    return f"IN ({', '.join('?' * len(values))})"
