"""Liveness and readiness as a load balancer sees them, and `migrate --check` for deploy scripts."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.processes import cli, service_env, start_server


async def test_healthz_answers_while_the_process_lives(http: httpx.AsyncClient):
    response = await http.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_needs_the_database_the_migrations_and_the_outbox_worker(tmp_path: Path):
    env = service_env(f"sqlite://{tmp_path / 'ready.sqlite3'}")
    server = start_server(env)  # on a database nobody has migrated yet
    url = f"http://127.0.0.1:{env['DEVHUB_PORT']}"
    try:
        not_ready = httpx.get(f"{url}/readyz")
        assert not_ready.status_code == 503
        checks = not_ready.json()["checks"]
        assert checks["database"] == "ok" and checks["outbox_worker"] == "ok"
        assert checks["migrations"].startswith("pending: devhub.0001_initial")

        cli(env, "migrate")
        ready = httpx.get(f"{url}/readyz")
        assert ready.status_code == 200
        assert ready.json() == {
            "status": "ready",
            "checks": {"database": "ok", "migrations": "ok", "outbox_worker": "ok"},
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_migrate_check_says_whether_migrations_are_pending(tmp_path: Path):
    import subprocess

    env = service_env(f"sqlite://{tmp_path / 'check.sqlite3'}")
    try:
        cli(env, "migrate", "--check")
        raise AssertionError("expected exit status 1")
    except subprocess.CalledProcessError as pending:
        assert pending.returncode == 1 and "devhub.0001_initial" in pending.stdout
    cli(env, "migrate")
    assert "no migrations pending" in cli(env, "migrate", "--check").stdout
