"""The audit log is append-only in the database itself, not only in the code: on a database the
migrations made, UPDATE and DELETE of audit_entry are refused by a trigger, on SQLite and on
PostgreSQL, while the service goes on appending."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import TEST_DATABASE_ENV, scratch_postgres
from tests.processes import cli, service_env

TAMPERING = (
    "UPDATE audit_entry SET reason = 'rewritten'",
    "DELETE FROM audit_entry",
)


@pytest.fixture(params=["sqlite", "postgres"])
def seeded_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database migrated and seeded with demo data (which writes audit entries) by the CLI."""
    if request.param == "sqlite":
        url = f"sqlite://{tmp_path / 'audit.sqlite3'}"
        prepare(url)
        yield url
        return
    server = os.environ.get(TEST_DATABASE_ENV)
    if not server:
        pytest.skip(f"PostgreSQL's trigger needs a server: set {TEST_DATABASE_ENV}")
    with scratch_postgres(server) as url:
        prepare(url)
        yield url


def prepare(url: str) -> None:
    env = service_env(url)
    for command in ("migrate", "seed-demo"):
        done = cli(env, command)
        assert done.returncode == 0, done.stderr


async def _on(url: str, statements: tuple[str, ...]) -> tuple[int, list[str]]:
    """The entries' count after trying each statement, and each statement's refusal."""
    refusals: list[str] = []
    if url.startswith("sqlite://"):
        with sqlite3.connect(url.removeprefix("sqlite://")) as db:
            for statement in statements:
                try:
                    db.execute(statement)
                except sqlite3.DatabaseError as exc:
                    refusals.append(str(exc))
            return db.execute("SELECT count(*) FROM audit_entry").fetchone()[0], refusals
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        for statement in statements:
            try:
                await connection.execute(statement)
            except asyncpg.PostgresError as exc:
                refusals.append(str(exc))
        return await connection.fetchval("SELECT count(*) FROM audit_entry"), refusals
    finally:
        await connection.close()


async def test_the_database_refuses_to_change_or_remove_audit_entries(seeded_database: str):
    before, _ = await _on(seeded_database, ())
    assert before >= 10  # seed-demo's submissions, decisions and publications
    after, refusals = await _on(seeded_database, TAMPERING)
    assert after == before
    assert refusals == ["audit_entry is append-only"] * 2

    prepare(seeded_database)  # the service goes on appending (seed-demo again adds apps)
    grown, _ = await _on(seeded_database, ())
    assert grown > before
