"""The `devhub-gql` command: serve, migrate, export-schema, reviewers."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from tortoise import Tortoise

from devhub_gql.db import tortoise_config
from devhub_gql.settings import Settings, SettingsError


def app_from_env() -> Any:
    """Uvicorn's factory: every worker process builds the app from the environment."""
    from devhub_gql.app import create_app

    return create_app(Settings.from_env())


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
    import uvicorn

    uvicorn.run(
        "devhub_gql.cli:app_from_env",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
    )
    return 0


def _migrate(settings: Settings, _: argparse.Namespace) -> int:
    asyncio.run(migrate(settings))
    print(f"migrations applied and catalogues synced on {_redacted(settings.database_url)}")
    return 0


def _export_schema(_settings: Settings, args: argparse.Namespace) -> int:
    from schema.build import create_schema

    sys.stdout.write(create_schema().as_str() + "\n")
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


def _redacted(database_url: str) -> str:
    scheme, _, rest = database_url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="devhub-gql", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", help="overrides DEVHUB_HOST")
    serve.add_argument("--port", type=int, help="overrides DEVHUB_PORT")
    serve.set_defaults(run=_serve)

    commands.add_parser("migrate", help="apply migrations and sync catalogues").set_defaults(
        run=_migrate
    )
    commands.add_parser("export-schema", help="print the public GraphQL SDL").set_defaults(
        run=_export_schema
    )

    reviewers = commands.add_parser("reviewers", help="grant or take the reviewer flag")
    reviewers.add_argument("action", choices=["add", "remove"])
    reviewers.add_argument("email")
    reviewers.set_defaults(run=_reviewers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"devhub-gql: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    return args.run(settings, args)


if __name__ == "__main__":
    sys.exit(main())
