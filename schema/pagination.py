"""Relay cursor connections over Tortoise querysets: one LIMIT/OFFSET query per page."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry
from tortoise.models import Model
from tortoise.queryset import QuerySet

from devhub_gql.domain.errors import BadRequest

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
_CURSOR_PREFIX = "offset:"

NodeT = TypeVar("NodeT")
RowT = TypeVar("RowT", bound=Model)


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if text.startswith(_CURSOR_PREFIX):
            offset = int(text.removeprefix(_CURSOR_PREFIX))
            if offset >= 0:
                return offset
    except (ValueError, UnicodeError):
        pass
    raise BadRequest("'after' is not a cursor this list returned.")


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise BadRequest(f"'first' must be between 0 and {MAX_PAGE_SIZE}.")
    return first


async def paginate(
    queryset: QuerySet[RowT],
    *,
    first: int | None,
    after: str | None,
    to_node: Callable[[Any], NodeT] | None = None,
    to_nodes: Callable[[list[Any]], Awaitable[list[NodeT]]] | None = None,
    fields: tuple[str, ...] | None = None,
) -> Connection[NodeT]:
    """A page of `queryset`: model rows for `to_node`, or, with `fields`, plain value dicts for
    `to_nodes`, which builds the whole page at once."""
    limit = page_size(first)
    start = decode_cursor(after) + 1 if after else 0
    page = queryset.offset(start).limit(limit + 1)
    rows = await (page.values(*fields) if fields else page)
    shown = list(rows[:limit])
    nodes = await to_nodes(shown) if to_nodes else [to_node(row) for row in shown]  # type: ignore[misc]
    edges = [
        Edge(cursor=encode_cursor(start + index), node=node) for index, node in enumerate(nodes)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > limit,
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
