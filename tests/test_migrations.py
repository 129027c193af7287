"""The committed migrations describe exactly the models, and apply on an empty database."""

from __future__ import annotations

from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from devhub_gql.db import APP_LABEL, tortoise_config


async def test_models_and_migrations_agree():
    config = tortoise_config("sqlite://:memory:")
    async with TortoiseContext() as context:
        await context.init(config=config, init_connections=False)
        autodetector = MigrationAutodetector(context.apps, config["apps"])
        writers = await autodetector.changes()
    assert writers == [], (
        "models changed without a migration: run `make migrations` and commit the new file"
    )
    assert APP_LABEL in config["apps"]
