"""Per-request DataLoaders: every nested list or object costs one query per request, not per row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from devhub_gql.domain.marketplace import current_slugs
from devhub_gql.domain.revisions import OPEN_REVISION
from devhub_gql.models import (
    App,
    AppScope,
    Category,
    Company,
    DeliveryAttempt,
    PendingRevision,
    Submission,
    User,
)
from devhub_gql.models import Scope as ScopeRow
from schema.types import Scope

# Keeps SQLite's `IN (...)` parameter lists bounded.
MAX_BATCH = 500

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _one_each(rows: Iterable[V], keys: Sequence[K], key: Callable[[V], K]) -> list[V | None]:
    found = {key(row): row for row in rows}
    return [found.get(k) for k in keys]


def _grouped(rows: Iterable[V], keys: Sequence[K], key: Callable[[V], K]) -> list[list[V]]:
    groups: dict[K, list[V]] = {k: [] for k in keys}
    for row in rows:
        groups[key(row)].append(row)
    return [groups[k] for k in keys]


async def _load_app_scopes(app_ids: Sequence[int]) -> list[list[Scope]]:
    # Read from the owning side (app_scope joined to scope): the reverse direction makes the
    # database build a temporary index on every query.
    rows = (
        await AppScope.filter(app_id__in=list(app_ids))
        .order_by("scope__position")
        .values(
            "app_id",
            name="scope__name",
            label="scope__label",
            description="scope__description",
            endpoints="scope__endpoints",
        )
    )
    groups = _grouped(rows, app_ids, lambda row: row["app_id"])
    return [[Scope.from_values(row) for row in group] for group in groups]


async def _load_scopes(names: Sequence[str]) -> list[Scope | None]:
    rows = await ScopeRow.filter(name__in=list(names)).values(
        "name", "label", "description", "endpoints"
    )
    return _one_each((Scope.from_values(row) for row in rows), names, lambda scope: scope.name)


async def _load_categories(slugs: Sequence[str]) -> list[Category | None]:
    return _one_each(await Category.filter(slug__in=list(slugs)), slugs, lambda row: row.slug)


async def _load_companies(ids: Sequence[int]) -> list[Company | None]:
    return _one_each(await Company.filter(id__in=list(ids)), ids, lambda row: row.id)


async def _load_apps(ids: Sequence[int]) -> list[App | None]:
    return _one_each(await App.filter(id__in=list(ids)), ids, lambda row: row.id)


async def _load_users(ids: Sequence[int]) -> list[User | None]:
    return _one_each(await User.filter(id__in=list(ids)), ids, lambda row: row.id)


async def _load_submissions(app_ids: Sequence[int]) -> list[list[Submission]]:
    rows = await Submission.filter(app_id__in=list(app_ids)).order_by("-submitted_at", "-id")
    return _grouped(rows, app_ids, lambda row: row.app_id)


async def _load_open_revisions(app_ids: Sequence[int]) -> list[PendingRevision | None]:
    rows = await PendingRevision.filter(app_id__in=list(app_ids), status__in=OPEN_REVISION)
    return _one_each(rows, app_ids, lambda row: row.app_id)


async def _load_delivery_attempts(message_ids: Sequence[int]) -> list[list[DeliveryAttempt]]:
    rows = await DeliveryAttempt.filter(message_id__in=list(message_ids)).order_by(
        "attempted_at", "id"
    )
    return _grouped(rows, message_ids, lambda row: row.message_id)


async def _load_slugs(app_ids: Sequence[int]) -> list[str | None]:
    slugs = await current_slugs(list(app_ids))
    return [slugs.get(app_id) for app_id in app_ids]


def _loader(load: Callable[[Sequence[Any]], Awaitable[list[Any]]]) -> DataLoader[Any, Any]:
    return DataLoader(load, max_batch_size=MAX_BATCH)


class Loaders:
    """A fresh set per request: a loader's cache must not outlive the request."""

    def __init__(self) -> None:
        self.app_scopes: DataLoader[int, list[Scope]] = _loader(_load_app_scopes)
        self.scope: DataLoader[str, Scope | None] = _loader(_load_scopes)
        self.category: DataLoader[str, Category | None] = _loader(_load_categories)
        self.company: DataLoader[int, Company | None] = _loader(_load_companies)
        self.app: DataLoader[int, App | None] = _loader(_load_apps)
        self.user: DataLoader[int, User | None] = _loader(_load_users)
        self.submissions: DataLoader[int, list[Submission]] = _loader(_load_submissions)
        self.open_revision: DataLoader[int, PendingRevision | None] = _loader(_load_open_revisions)
        self.slug: DataLoader[int, str | None] = _loader(_load_slugs)
        self.delivery_attempts: DataLoader[int, list[DeliveryAttempt]] = _loader(
            _load_delivery_attempts
        )
