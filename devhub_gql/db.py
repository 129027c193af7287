"""Tortoise configuration and lifecycle, shared by the server, the CLI and the tests."""

from __future__ import annotations

import os
from typing import Any

from tortoise.backends.base.config_generator import expand_db_url

APP_LABEL = "devhub"
MODEL_MODULES = ["devhub_gql.models"]
MIGRATIONS_MODULE = "devhub_gql.migrations"

# WAL is Tortoise's default for SQLite; a busy timeout lets a second process (the CLI, a migration)
# wait for the writer instead of failing at once with "database is locked". The commit that takes
# the log past `wal_autocheckpoint` pages copies them back into the database before it returns,
# on the one connection every request shares: at SQLite's 1,000 pages that is a 4 MB copy, the
# refresh grant's p99 at 3.8-4.1x its p50; at 100 pages, 2.1-2.3x at the same throughput.
# After each checkpoint the log starts again from its beginning, and Tortoise's default
# journal_size_limit (16 KB) cuts the file back each time: the next 100 pages then grow the file
# anew, block by block, and a refresh grant's commit cost 220 us instead of 130 us. The limit
# sits above the log's working size (100 pages of 4 KB) so that its blocks are written over.
SQLITE_PRAGMAS = {
    "journal_mode": "WAL",
    "busy_timeout": 5000,
    "synchronous": "NORMAL",
    "wal_autocheckpoint": 100,
    "journal_size_limit": 2 * 1024 * 1024,
}


# Tortoise's SQLite client with its statements on the event loop's thread (sqlite_inline.py), and
# its PostgreSQL client without a reset round trip per pooled statement (postgres_pool.py).
SQLITE_ENGINE = "devhub_gql.sqlite_inline"
POSTGRES_ENGINE = "devhub_gql.postgres_pool"


def connection_config(database_url: str, *, testing: bool = False) -> dict[str, Any]:
    config = expand_db_url(database_url, testing=testing)
    if config["engine"] == "tortoise.backends.sqlite":
        config["engine"] = SQLITE_ENGINE
        config["credentials"].update(SQLITE_PRAGMAS)
    elif config["engine"] == "tortoise.backends.asyncpg":
        config["engine"] = POSTGRES_ENGINE
    return config


def tortoise_config(database_url: str, *, testing: bool = False) -> dict[str, Any]:
    return {
        "connections": {"default": connection_config(database_url, testing=testing)},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# For Tortoise's own CLI (`tortoise -c devhub_gql.db.TORTOISE_ORM makemigrations`), used by
# developers to write new migrations; the service itself never reads this.
TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL", "sqlite://devhub.sqlite3"))
