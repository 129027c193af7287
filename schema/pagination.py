"""Relay cursor connections over lists read a page at a time: one LIMIT/OFFSET statement each."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from tortoise.models import Model
from tortoise.queryset import QuerySet

from devhub_gql.domain.errors import BadRequest

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
_CURSOR_PREFIX = "offset:"
MAX_OFFSET = 2**31 - 1  # beyond any list, and within what both databases take in OFFSET

NodeT = TypeVar("NodeT")
RowT = TypeVar("RowT")
ModelT = TypeVar("ModelT", bound=Model)


First = Annotated[
    int | None,
    strawberry.argument(
        description=f"How many items to return: 0 to {MAX_PAGE_SIZE}, {DEFAULT_PAGE_SIZE} when "
        "omitted; more is refused with BAD_USER_INPUT."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="Return the items after the one with this cursor (a `cursor` or `endCursor` "
        "this list returned); from the start when omitted."
    ),
]


@strawberry.type(description="Where a page sits in its list, and the cursors to page on.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="More items follow: ask again with `after` set to `endCursor`."
    )
    has_previous_page: bool = strawberry.field(
        description="Items come before this page (it was asked for with `after`)."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first item; null when the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last item; null when the page is empty."
    )


@strawberry.type(description="One item of a page, with its cursor.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(
        description="An opaque position in the list: pass it as `after` to go on after this item."
    )
    node: NodeT = strawberry.field(description="The item.")


@strawberry.type(
    description="One page of a list (a Relay cursor connection): the items, in the list's order, "
    "and how to get the next page."
)
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(
        description="The page's items with their cursors, in the list's order."
    )
    page_info: PageInfo = strawberry.field(
        description="Whether more items follow, and the cursors to ask for them."
    )

    @strawberry.field(description="The page's items without their cursors, in the same order.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if text.startswith(_CURSOR_PREFIX):
            offset = int(text.removeprefix(_CURSOR_PREFIX))
            if 0 <= offset <= MAX_OFFSET:
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


# Reads `limit` items of a list from `offset` on, in one statement.
PageReader = Callable[[int, int], Awaitable[Sequence[RowT]]]


def pages_of(queryset: QuerySet[ModelT]) -> PageReader[ModelT]:
    async def read(offset: int, limit: int) -> Sequence[ModelT]:
        return await queryset.offset(offset).limit(limit)

    return read


async def paginate(
    source: QuerySet[ModelT] | PageReader[RowT],
    *,
    first: int | None,
    after: str | None,
    to_node: Callable[[Any], NodeT],
) -> Connection[NodeT]:
    """A page of a list (a queryset, or a domain function that reads pages), one item more than
    asked for telling whether more follow."""
    limit = page_size(first)
    start = decode_cursor(after) + 1 if after else 0
    read = pages_of(source) if isinstance(source, QuerySet) else source
    rows = await read(start, limit + 1)
    nodes = [to_node(row) for row in rows[:limit]]
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
