"""The `devhub-gql` command: serve, worker, migrate, export-schema, reviewers, ratings,
analytics, seed-demo."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from tortoise import Tortoise

from devhub_gql.db import tortoise_config
from devhub_gql.observability import configure_logging
from devhub_gql.settings import Settings, SettingsError

# uvicorn's `http` setting for every server of the service (devhub_gql/http_protocol.py).
HTTP_PROTOCOL = "devhub_gql.http_protocol:ServiceHttpProtocol"


def app_from_env() -> Any:
    """Uvicorn's factory: every worker process builds the app from the environment."""
    settings = Settings.from_env()
    from devhub_gql.app import create_app

    configure_logging(settings.log_level, settings.log_format)  # worker processes start afresh
    return create_app(settings)


async def _with_database(settings: Settings, action: Callable[[], Awaitable[Any]]) -> Any:
    await Tortoise.init(config=tortoise_config(settings.database_url))
    try:
        return await action()
    finally:
        await Tortoise.close_connections()


async def migrate(settings: Settings) -> None:
    """Apply pending migrations, then bring the scope and category catalogues up to date."""
    from tortoise.migrations.api import migrate as apply_migrations

    from devhub_gql.domain.catalog import sync_catalogues

    try:
        await apply_migrations(config=tortoise_config(settings.database_url))
    finally:
        await Tortoise.close_connections()
    # A fresh initialisation: the migration run leaves Tortoise holding its historical models.
    await _with_database(settings, sync_catalogues)


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from devhub_gql import workers

    # Every worker builds its settings from the environment (app_from_env): the flags go there,
    # so the URLs the service advertises (issuer, endpoints, consent redirect) follow them too
    # unless DEVHUB_PUBLIC_URL says otherwise.
    if args.host:
        os.environ["DEVHUB_HOST"] = args.host
    if args.port:
        os.environ["DEVHUB_PORT"] = str(args.port)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"devhub-gql: {exc}", file=sys.stderr)
        return 2
    if args.workers > 1 and settings.is_sqlite:
        print(
            "devhub-gql: several workers need PostgreSQL (DATABASE_URL=postgres://...); "
            "SQLite takes one writer at a time",
            file=sys.stderr,
        )
        return 2
    config = uvicorn.Config(
        "devhub_gql.cli:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        http=HTTP_PROTOCOL,
        log_level=settings.log_level.lower(),
        log_config=None,  # the service's own JSON logging (configure_logging) applies
        access_log=False,  # replaced by the service's one line per request
        # Behind a reverse proxy: the client address and scheme come from X-Forwarded-For and
        # X-Forwarded-Proto, believed only from these addresses. Rate limits key on that address.
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        # On SIGTERM: stop accepting, let requests in flight finish (up to this long), then the
        # lifespan stops the outbox worker after its current delivery and closes the database.
        timeout_graceful_shutdown=round(settings.shutdown_grace_seconds),
    )
    return workers.serve(config, args.workers)


def _worker(settings: Settings, args: argparse.Namespace) -> int:
    """The outbox worker on its own (`serve` runs one too)."""
    import signal

    from prometheus_client import start_http_server

    from devhub_gql.clock import SystemClock
    from devhub_gql.observability import Metrics
    from devhub_gql.outbox.worker import OutboxWorker

    metrics = Metrics()

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        if args.metrics_port:  # once SIGTERM stops the worker cleanly
            start_http_server(args.metrics_port, addr=settings.host, registry=metrics.registry)
        await _with_database(
            settings, lambda: OutboxWorker(settings, SystemClock(), metrics).run_forever(stop)
        )

    asyncio.run(run())
    return 0


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    if args.check:
        from devhub_gql.health import pending_migrations

        pending = asyncio.run(
            _with_database(settings, lambda: pending_migrations(settings.database_url))
        )
        for name in pending:
            print(f"pending: {name}")
        print("migrations pending" if pending else "no migrations pending")
        return 1 if pending else 0
    asyncio.run(migrate(settings))
    print(f"migrations applied and catalogues synced on {_redacted(settings.database_url)}")
    return 0


def _export_schema(_settings: Settings, args: argparse.Namespace) -> int:
    from backoffice.schema import create_backoffice_schema
    from schema.build import create_schema

    if args.manifest:
        import orjson

        from devhub_gql.domain.manifests import manifest_schema

        document = orjson.dumps(manifest_schema(), option=orjson.OPT_INDENT_2)
        sys.stdout.write(document.decode() + "\n")
        return 0
    schema = create_backoffice_schema() if args.backoffice else create_schema()
    sys.stdout.write(schema.as_str() + "\n")
    return 0


def _reviewers(settings: Settings, args: argparse.Namespace) -> int:
    from devhub_gql.domain.accounts import set_reviewer

    granted = args.action == "add"
    found = asyncio.run(_with_database(settings, lambda: set_reviewer(args.email, granted)))
    if not found:
        print(f"no user with email {args.email}", file=sys.stderr)
        return 1
    print(f"{args.email} is {'now' if granted else 'no longer'} a reviewer")
    return 0


def _ratings(settings: Settings, args: argparse.Namespace) -> int:
    from devhub_gql.domain.ratings import verify

    found = asyncio.run(_with_database(settings, lambda: verify(repair=args.repair)))
    for mismatch in found:
        stored, counted = mismatch.stored, mismatch.counted
        print(
            f"app {mismatch.app_id}: stored {stored.count} ratings, {stored.total} stars, "
            f"{list(stored.distribution)}; counted {counted.count}, {counted.total}, "
            f"{list(counted.distribution)}" + (" (repaired)" if args.repair else "")
        )
    if not found:
        print("every app's rating figures match its ratings")
        return 0
    return 0 if args.repair else 1


def _analytics(settings: Settings, _: argparse.Namespace) -> int:
    from devhub_gql.domain.install_events import rebuild

    changed = asyncio.run(_with_database(settings, rebuild))
    print(f"recounted installs, re-installs and uninstalls; {changed} day rows changed")
    return 0


def _seed_demo(settings: Settings, _: argparse.Namespace) -> int:
    from devhub_gql.clock import SystemClock
    from devhub_gql.demo import PASSWORD, seed_demo

    if settings.env == "production":
        print(
            "devhub-gql: seed-demo is for development databases (DEVHUB_ENV=development)",
            file=sys.stderr,
        )
        return 2
    created = asyncio.run(
        _with_database(
            settings,
            lambda: seed_demo(
                now=SystemClock().now(),
                allow_private=settings.allow_private_callbacks,
                secret_key=settings.secret_key,
            ),
        )
    )
    print(
        f"Demo data is in {_redacted(settings.database_url)}. Sign in with signIn(input:"
        f" {{email, password}}); every password is {PASSWORD!r}."
    )
    for account in created:
        print(f"  {account.email:34} {account.role}")
    return 0


def _redacted(database_url: str) -> str:
    scheme, _, rest = database_url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="devhub-gql", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", help="overrides DEVHUB_HOST")
    serve.add_argument("--port", type=int, help="overrides DEVHUB_PORT")
    serve.add_argument(
        "--workers", type=int, default=1, help="uvicorn worker processes (PostgreSQL only)"
    )
    serve.set_defaults(run=_serve)

    worker = commands.add_parser("worker", help="deliver outbox notices (serve runs one too)")
    worker.add_argument(
        "--metrics-port", type=int, help="serve this worker's Prometheus metrics on DEVHUB_HOST"
    )
    worker.set_defaults(run=_worker)
    migrate_command = commands.add_parser("migrate", help="apply migrations and sync catalogues")
    migrate_command.add_argument(
        "--check", action="store_true", help="apply nothing; exit 1 when migrations are pending"
    )
    migrate_command.set_defaults(run=_migrate)
    export = commands.add_parser("export-schema", help="print the GraphQL SDL")
    export.add_argument(
        "--backoffice", action="store_true", help="the reviewers' schema instead of the public one"
    )
    export.add_argument(
        "--manifest", action="store_true", help="the JSON Schema of app manifests instead"
    )
    export.set_defaults(run=_export_schema)

    commands.add_parser(
        "seed-demo", help="create demo accounts and apps in every status (development only)"
    ).set_defaults(run=_seed_demo)

    reviewers = commands.add_parser("reviewers", help="grant or take the reviewer flag")
    reviewers.add_argument("action", choices=["add", "remove"])
    reviewers.add_argument("email")
    reviewers.set_defaults(run=_reviewers)

    ratings = commands.add_parser(
        "ratings", help="check every app's rating figures against a recount of its ratings"
    )
    ratings.add_argument("action", choices=["verify"])
    ratings.add_argument(
        "--repair", action="store_true", help="write the recounted figures where they differ"
    )
    ratings.set_defaults(run=_ratings)

    analytics = commands.add_parser(
        "analytics", help="recount the per-day install figures from the recorded events"
    )
    analytics.add_argument("action", choices=["rebuild"])
    analytics.set_defaults(run=_analytics)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command in ("serve", "worker"):
            settings.check_production_ready()
    except SettingsError as exc:
        print(f"devhub-gql: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    return args.run(settings, args)


if __name__ == "__main__":
    sys.exit(main())
