"""Batch reads by key, for the GraphQL layer's per-request DataLoaders.

Each function takes a batch of keys and answers one value (or list) per key, in the keys' order,
with one statement whatever the batch's size: a page of 100 apps costs what a page of 1 does.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

from devhub_gql.domain.catalog import in_catalogue_order
from devhub_gql.domain.revisions import OPEN_REVISION
from devhub_gql.models import (
    App,
    AppScope,
    Company,
    DeliveryAttempt,
    PendingRevision,
    Submission,
    User,
)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def one_each(rows: Iterable[V], keys: Sequence[K], key: Callable[[V], K]) -> list[V | None]:
    found = {key(row): row for row in rows}
    return [found.get(k) for k in keys]


def grouped(rows: Iterable[V], keys: Sequence[K], key: Callable[[V], K]) -> list[list[V]]:
    groups: dict[K, list[V]] = {k: [] for k in keys}
    for row in rows:
        groups[key(row)].append(row)
    return [groups[k] for k in keys]


async def apps(ids: Sequence[int]) -> list[App | None]:
    return one_each(await App.filter(id__in=list(ids)), ids, lambda row: row.id)


async def users(ids: Sequence[int]) -> list[User | None]:
    return one_each(await User.filter(id__in=list(ids)), ids, lambda row: row.id)


async def companies(ids: Sequence[int]) -> list[Company | None]:
    return one_each(await Company.filter(id__in=list(ids)), ids, lambda row: row.id)


async def app_scopes(app_ids: Sequence[int]) -> list[list[str]]:
    """Each app's live scope names, in catalogue order."""
    rows = await AppScope.filter(app_id__in=list(app_ids)).values_list("app_id", "scope_id")
    groups = grouped(rows, app_ids, lambda row: int(row[0]))
    return [in_catalogue_order(str(name) for _, name in group) for group in groups]


async def submissions(app_ids: Sequence[int]) -> list[list[Submission]]:
    """Each app's submissions, newest first."""
    rows = await Submission.filter(app_id__in=list(app_ids)).order_by("-submitted_at", "-id")
    return grouped(rows, app_ids, lambda row: row.app_id)


async def open_revisions(app_ids: Sequence[int]) -> list[PendingRevision | None]:
    rows = await PendingRevision.filter(app_id__in=list(app_ids), status__in=OPEN_REVISION)
    return one_each(rows, app_ids, lambda row: row.app_id)


async def delivery_attempts(message_ids: Sequence[int]) -> list[list[DeliveryAttempt]]:
    """Each notice's delivery attempts, oldest first."""
    rows = await DeliveryAttempt.filter(message_id__in=list(message_ids)).order_by(
        "attempted_at", "id"
    )
    return grouped(rows, message_ids, lambda row: row.message_id)
