"""Query answers kept as encoded bytes, keyed by what they may be shared with.

A query's scope (schema/scopes.py: the most private thing it reads) decides its key: a PUBLIC
answer is shared by every viewer, signed in or not; a COMPANY answer by the users of one company
with one role; a VIEWER answer belongs to one user. Mutations and anything that does not
validate are never cached, nor is an answer with errors.

Invalidation is exact, not timed: an entry remembers the versions it was made at (the public
one, and for company and viewer answers the company's; domain/versions.py) and is served only
while they are current. One statement per request reads them together with the session, so a
write committed by any process shows on the next request to every process.

Inside the request guard: what reaches the cache is a well-formed JSON POST (see http_guard).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from devhub_gql.clock import Clock
from devhub_gql.domain.accounts import Identity, identify
from devhub_gql.http_guard import read_body, replay
from devhub_gql.observability import current_record, note_operation
from schema.scopes import DataScope, DocumentScopes

MAX_ENTRIES = 4096
CACHE_HEADER = b"x-devhub-cache"


def _bearer_token(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            kind, _, token = value.decode("latin-1").partition(" ")
            return token.strip() or None if kind.lower() == "bearer" else None
    return None


def _sharing(data_scope: DataScope, who: Identity) -> tuple[bytes, tuple[int, ...]] | None:
    """Who shares the answer, and the versions it depends on; None when it may not be kept."""
    if data_scope == DataScope.PUBLIC:
        return b"public", (who.public_version,)
    if who.viewer is None or who.company_version is None:
        return None  # it needs a signed-in viewer: the answer is an error
    versions = (who.public_version, who.company_version)
    viewer = who.viewer
    if data_scope == DataScope.COMPANY:
        return f"company:{viewer.company_id}:{viewer.role}".encode(), versions
    return f"viewer:{viewer.user_id}".encode(), versions


class ResponseCache:
    def __init__(
        self, app: ASGIApp, *, scopes: DocumentScopes, clock: Clock, path: str = "/graphql"
    ) -> None:
        self.app = app
        self.scopes = scopes
        self.clock = clock
        self.path = path
        self.entries: OrderedDict[bytes, tuple[tuple[int, ...], bytes]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        body = await read_body(receive) or b""
        request = orjson.loads(body)
        data_scope = self.scopes.of(request["query"], request.get("operationName"))
        if data_scope is None:
            await self.app(scope, replay(body, receive), send)
            return
        who = await identify(_bearer_token(scope), self.clock.now())
        scope.setdefault("state", {})["identity"] = who  # the GraphQL context need not look again
        sharing = _sharing(data_scope, who)
        if sharing is None:
            await self.app(scope, replay(body, receive), send)
            return
        shared_by, versions = sharing
        key = hashlib.sha256(shared_by + b"\0" + body).digest()
        cached = self.entries.get(key)
        if cached is not None and cached[0] == versions:
            self.entries.move_to_end(key)
            note_operation("graphql", request["query"], request.get("operationName"))
            record = current_record()
            if record is not None and who.viewer is not None:
                record.viewer_id = who.viewer.user_id
            await _send_json(send, cached[1])
            return
        await self.app(scope, replay(body, receive), self._storing(send, key, versions))

    def _storing(self, send: Send, key: bytes, versions: tuple[int, ...]) -> Send:
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
                        self.entries[key] = (versions, body)
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
