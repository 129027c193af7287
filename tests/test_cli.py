"""The `devhub-gql` command as an operator runs it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import asyncpg
import httpx
import pytest

from devhub_gql.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devhub_gql.cli", *args],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite://{tmp_path / 'cli.sqlite3'}"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEVHUB_PORT", "eighty"),
        ("DEVHUB_PORT", "70000"),
        ("DEVHUB_ENV", "staging"),
        ("DEVHUB_INTROSPECTION", "maybe"),
        ("DATABASE_URL", "mysql://localhost/x"),
        ("DEVHUB_SESSION_TTL_HOURS", "0"),
        ("DEVHUB_LOG_FORMAT", "xml"),
        ("DEVHUB_FORWARDED_ALLOW_IPS", "proxy.internal"),
        ("DEVHUB_SHUTDOWN_GRACE_SECONDS", "soon"),
        ("PROMETHEUS_MULTIPROC_DIR", "/no/such/directory"),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_line_naming_it(name: str, value: str):
    result = run_cli("export-schema", env={name: value})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0], result.stderr


def test_settings_defaults_and_overrides():
    defaults = Settings.from_env({})
    assert defaults.port == 8000 and defaults.host == "127.0.0.1"
    assert defaults.env == "production" and not defaults.graphiql and defaults.introspection
    assert defaults.database_url.startswith("sqlite://") and defaults.is_sqlite
    custom = Settings.from_env(
        {"DATABASE_URL": "postgresql://u@db/x", "DEVHUB_ENV": "development", "DEVHUB_PORT": "9"}
    )
    assert custom.database_url == "postgres://u@db/x" and custom.graphiql and custom.port == 9
    with pytest.raises(SettingsError, match="DEVHUB_LOG_LEVEL"):
        Settings.from_env({"DEVHUB_LOG_LEVEL": "loud"})


def test_export_schema_prints_the_committed_contract():
    result = run_cli("export-schema", env={})
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / "schema.graphql").read_text()


def test_migrate_twice_keeps_data_and_seeds_catalogues(sqlite_url: str):
    env = {"DATABASE_URL": sqlite_url}
    assert run_cli("migrate", env=env).returncode == 0
    path = sqlite_url.removeprefix("sqlite://")
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO company (name, kind, created_at) VALUES ('Kept', 'SANDBOX', '2026-01-01')"
        )
    second = run_cli("migrate", env=env)
    assert second.returncode == 0, second.stderr
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT name FROM company").fetchall() == [("Kept",)]
        assert db.execute("SELECT count(*) FROM scope").fetchone()[0] == 26
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reviewer_flag_is_granted_and_taken_by_the_command(sqlite_url: str):
    env = {"DATABASE_URL": sqlite_url}
    assert run_cli("migrate", env=env).returncode == 0
    path = sqlite_url.removeprefix("sqlite://")
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO company (id, name, kind, created_at) "
            "VALUES (1, 'A', 'SANDBOX', '2026-01-01')"
        )
        db.execute(
            "INSERT INTO user (email, name, password_hash, company_id, role, is_reviewer, "
            "created_at) VALUES ('rev@example.com', 'Rev', 'x', 1, 'REGULAR', 0, '2026-01-01')"
        )

    def flag() -> int:
        with sqlite3.connect(path) as db:
            return db.execute("SELECT is_reviewer FROM user").fetchone()[0]

    granted = run_cli("reviewers", "add", "Rev@Example.com", env=env)
    assert granted.returncode == 0 and flag() == 1, granted.stderr
    assert run_cli("reviewers", "remove", "rev@example.com", env=env).returncode == 0
    assert flag() == 0
    unknown = run_cli("reviewers", "add", "nobody@example.com", env=env)
    assert unknown.returncode == 1 and "no user" in unknown.stderr


async def test_migrate_applies_on_postgresql():
    url = os.environ.get("DEVHUB_TEST_DATABASE_URL")
    if not url or not url.startswith("postgres"):
        pytest.skip("DEVHUB_TEST_DATABASE_URL does not name a PostgreSQL server")
    name = "devhub_cli_migrate"
    server = url.rsplit("/", 1)[0]
    admin = await asyncpg.connect(server.replace("postgres://", "postgresql://") + "/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
        env = {"DATABASE_URL": f"{server}/{name}"}
        for _ in range(2):
            result = run_cli("migrate", env=env)
            assert result.returncode == 0, result.stderr
        db = await asyncpg.connect(server.replace("postgres://", "postgresql://") + f"/{name}")
        try:
            assert await db.fetchval("SELECT count(*) FROM scope") == 26
        finally:
            await db.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.close()


def test_seed_demo_creates_accounts_and_apps_in_every_status(sqlite_url: str):
    env = {"DATABASE_URL": sqlite_url, "DEVHUB_ENV": "development"}
    assert run_cli("migrate", env=env).returncode == 0
    seeded = run_cli("seed-demo", env=env)
    assert seeded.returncode == 0, seeded.stderr
    for email in ("developer@", "reviewer@", "customer@"):
        assert email in seeded.stdout
    assert "demo-password-2026" in seeded.stdout
    with sqlite3.connect(sqlite_url.removeprefix("sqlite://")) as db:
        statuses = set(db.execute("SELECT type, status FROM app").fetchall())
        reviewers = db.execute("SELECT email FROM user WHERE is_reviewer").fetchall()
        reviewed = db.execute(
            "SELECT r.stars, a.rating_count, a.rating_sum, r.reply_body IS NOT NULL"
            " FROM app_rating r JOIN app a ON a.id = r.app_id"
        ).fetchall()
        published_extensions = db.execute(
            "SELECT e.kind FROM app_extension e JOIN app a ON a.id = e.app_id"
            " WHERE a.status = 'PUBLISHED' ORDER BY e.position"
        ).fetchall()
        waiting = db.execute(
            "SELECT kind FROM submission WHERE status = 'PENDING' ORDER BY kind"
        ).fetchall()
        reported = db.execute("SELECT open_reports FROM app_rating").fetchall()
    assert statuses == {
        ("PUBLIC", "DRAFT"),
        ("PUBLIC", "IN_REVIEW"),
        ("PUBLIC", "APPROVED"),
        ("PUBLIC", "PUBLISHED"),
        ("PRIVATE", "DRAFT"),
        ("PRIVATE", "LIVE"),
    }
    assert reviewers == [("reviewer@devhub-demo.example",)]
    assert published_extensions == [("JSON_PANEL",), ("LINK_ACTION",)]
    assert reviewed == [(4, 1, 4, 1)]  # stars, the app's count and sum, and a reply
    assert waiting == [("LISTING",), ("REVISION",)]  # the review console has both kinds to show
    assert reported == [(1,)]  # and a review in the moderation queue

    production = run_cli("seed-demo", env={**env, "DEVHUB_ENV": "production"})
    assert production.returncode == 2 and "development" in production.stderr


def test_serving_in_production_needs_a_secret_key():
    result = run_cli("serve", env={"DEVHUB_ENV": "production", "DEVHUB_SECRET_KEY": ""})
    assert result.returncode == 2
    assert "DEVHUB_SECRET_KEY" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_several_workers_are_refused_on_sqlite(sqlite_url: str):
    env = {"DATABASE_URL": sqlite_url, "DEVHUB_ENV": "development"}
    result = run_cli("serve", "--workers", "2", env=env)
    assert result.returncode == 2
    assert "PostgreSQL" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_separate_worker_serves_its_metrics_and_stops_on_sigterm(sqlite_url: str):
    import signal

    import httpx

    from tests.processes import free_port, wait_until

    env = {"DATABASE_URL": sqlite_url, "DEVHUB_ENV": "development"}
    assert run_cli("migrate", env=env).returncode == 0
    port = free_port()
    worker = subprocess.Popen(
        [sys.executable, "-m", "devhub_gql.cli", "worker", "--metrics-port", str(port)],
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    scraped: list[str] = []

    def scrape() -> bool:
        try:
            scraped.append(httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=1).text)
        except httpx.TransportError:
            return False
        return True

    try:
        wait_until(scrape, 30, "the worker's metrics")
        assert "# TYPE devhub_outbox_delivery_attempts_total counter" in scraped[-1]
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0


@pytest.mark.parametrize("public_url", [None, "https://devhub.example.com"])
def test_serve_port_moves_the_advertised_urls_unless_a_public_url_is_set(
    sqlite_url: str, public_url: str | None
):
    from tests.processes import cli, free_port, service_env, wait_until

    env = service_env(sqlite_url)  # DEVHUB_PORT names one free port, the flag another
    if public_url:
        env["DEVHUB_PUBLIC_URL"] = public_url
    cli(env, "migrate")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "devhub_gql.cli", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    metadata_url = f"http://127.0.0.1:{port}/.well-known/oauth-authorization-server"

    def answering() -> bool:
        assert process.poll() is None, "the server exited"
        try:
            return httpx.get(metadata_url, timeout=1).is_success
        except httpx.TransportError:
            return False

    try:
        wait_until(answering, 30, "the server to answer on the flag's port")
        metadata = httpx.get(metadata_url).json()
        base = public_url or f"http://127.0.0.1:{port}"
        assert metadata["issuer"] == base
        assert metadata["authorization_endpoint"] == f"{base}/oauth/authorize"
        assert metadata["token_endpoint"] == f"{base}/oauth/token"
    finally:
        process.terminate()
        process.wait(timeout=30)
