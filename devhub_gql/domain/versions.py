"""Versions of what answers show, for the response cache's exact invalidation.

Two kinds of counter, bumped in the same transaction as the write that changes what they cover:

- the public version (one row): everything anyone may see whatever their company, i.e. the
  marketplace's listings and counts, the catalogues, and what an app shows of itself to the users
  who installed it (its name, icon, summary, scopes);
- a company's version (a column of its row): everything only that company's users see, i.e. its
  apps with their revisions, submissions and notices, its members, its installations.

A cached answer is served only while the versions it was made at are current: a public answer
checks the public version, a company or viewer answer both. The counters live in the database,
so the rule holds across workers and hosts.
"""

from __future__ import annotations

from collections.abc import Iterable

from tortoise.expressions import F

from devhub_gql.models import App, Company, MarketplaceState


async def public_changed() -> None:
    # The row is created by `devhub-gql migrate` (see catalog.sync_catalogues).
    await MarketplaceState.filter(id=1).update(version=F("version") + 1)


async def companies_changed(company_ids: Iterable[int]) -> None:
    ids = sorted(set(company_ids))
    if ids:
        await Company.filter(id__in=ids).update(data_version=F("data_version") + 1)


async def company_changed(company_id: int) -> None:
    await companies_changed([company_id])


async def app_changed(app: App) -> None:
    """Something of the app only its developers see (its company's version)."""
    await company_changed(app.company_id)
