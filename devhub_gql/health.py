"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tortoise import Tortoise
from tortoise.migrations.executor import MigrationExecutor

from devhub_gql.db import tortoise_config

log = logging.getLogger("devhub_gql.health")


async def pending_migrations(database_url: str) -> list[str]:
    """Migrations of the code that the database has not applied yet."""
    config = tortoise_config(database_url)
    executor = MigrationExecutor(Tortoise.get_connection("default"), config["apps"])
    return [f"{step.migration.app_label}.{step.migration.name}" for step in await executor.plan()]


class Readiness:
    """What /readyz checks; the outbox worker task is registered by the app's lifespan."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.worker: asyncio.Task | None = None
        self.migrations_checked = False

    async def checks(self) -> dict[str, str]:
        results: dict[str, str] = {}
        try:
            await Tortoise.get_connection("default").execute_query("SELECT 1")
            results["database"] = "ok"
        except Exception as exc:  # any failure means not ready; say which
            log.warning("readiness: database unreachable: %s", exc)
            results["database"] = "unreachable"
        if results["database"] == "ok" and not self.migrations_checked:
            pending = await pending_migrations(self.database_url)
            self.migrations_checked = not pending
            results["migrations"] = "ok" if not pending else "pending: " + ", ".join(pending)
        elif self.migrations_checked:
            results["migrations"] = "ok"
        else:
            results["migrations"] = "unknown"
        alive = self.worker is not None and not self.worker.done()
        results["outbox_worker"] = "ok" if alive else "stopped"
        return results


def health_routes(readiness: Readiness) -> list[Route]:
    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        checks = await readiness.checks()
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    return [Route("/healthz", healthz), Route("/readyz", readyz)]
