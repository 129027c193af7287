"""Anonymous marketplace responses, cached as encoded bytes per (document, variables).

Only POSTs without credentials whose operation reads nothing but public catalogue fields are
cached, and an entry is served only while the marketplace version it was made at is current
(one indexed read per request, see domain.marketplace.listing_version): a change shows on the
next request to any process once it has committed.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

import orjson
from graphql import FieldNode, OperationType
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from devhub_gql.documents import operation_of
from devhub_gql.domain.marketplace import listing_version
from devhub_gql.http_guard import read_body, replay
from devhub_gql.observability import note_operation

CACHEABLE_FIELDS = frozenset(
    {"marketplaceApps", "marketplaceApp", "scopes", "categories", "__typename"}
)
MAX_ENTRIES = 2048
CACHE_HEADER = b"x-devhub-cache"


def is_cacheable(query: str, operation_name: str | None) -> bool:
    """A query whose root fields are all public catalogue fields."""
    operation = operation_of(query, operation_name)
    return (
        operation is not None
        and operation.operation == OperationType.QUERY
        and all(
            isinstance(selection, FieldNode) and selection.name.value in CACHEABLE_FIELDS
            for selection in operation.selection_set.selections
        )
    )


def _cache_key(body: bytes) -> bytes | None:
    try:
        request = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(request, dict) or not isinstance(request.get("query"), str):
        return None
    operation_name = request.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        return None
    if not is_cacheable(request["query"], operation_name):
        return None
    return hashlib.sha256(body).digest()


class AnonymousResponseCache:
    """Inside the request guard: what reaches it is a well-formed JSON POST (see http_guard)."""

    def __init__(self, app: ASGIApp, path: str = "/graphql") -> None:
        self.app = app
        self.path = path
        self.entries: OrderedDict[bytes, tuple[int, bytes]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] != self.path
            or any(name == b"authorization" for name, _ in scope["headers"])
        ):
            await self.app(scope, receive, send)
            return
        body = await read_body(receive) or b""
        key = _cache_key(body)
        if key is None:
            await self.app(scope, replay(body, receive), send)
            return
        version = await listing_version()
        cached = self.entries.get(key)
        if cached is not None and cached[0] == version:
            self.entries.move_to_end(key)
            request = orjson.loads(body)  # it parsed once already, in _cache_key
            note_operation("graphql", request["query"], request.get("operationName"))
            await _send_json(send, cached[1])
            return
        await self.app(scope, replay(body, receive), self._storing(send, key, version))

    def _storing(self, send: Send, key: bytes, version: int) -> Send:
        status = 0
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (CACHE_HEADER, b"miss")],
                }
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body") and status == 200:
                    body = b"".join(chunks)
                    if b'"errors"' not in body:
                        self.entries[key] = (version, body)
                        if len(self.entries) > MAX_ENTRIES:
                            self.entries.popitem(last=False)
            await send(message)

        return capture


async def _send_json(send: Send, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (CACHE_HEADER, b"hit"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
