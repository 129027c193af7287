"""The per-request context every resolver receives."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import strawberry
from starlette.requests import HTTPConnection
from starlette.responses import Response

from devhub_gql.clock import Clock
from devhub_gql.domain.accounts import Identity, Viewer, authenticate
from devhub_gql.domain.errors import RateLimited, Unauthenticated, Unavailable
from devhub_gql.observability import current_record
from devhub_gql.ratelimit import Limiters, RateLimiter
from devhub_gql.settings import Settings

if TYPE_CHECKING:  # both import schema types in turn; at run time the context just holds them
    from devhub_gql.oauth.server import DevhubOAuthServer
    from resolvers.loaders import Loaders


T = TypeVar("T")


@dataclass
class Context:
    request: HTTPConnection  # a Request, or a WebSocket for subscriptions
    response: Response
    settings: Settings
    clock: Clock
    request_id: str
    loaders: Loaders
    oauth: DevhubOAuthServer  # for the consent mutations
    limiters: Limiters
    # The reviewer console's HttpOnly cookie, where the back-office view accepted it.
    session_cookie: str | None = None
    # A WebSocket's graphql-transport-ws `connection_init` payload (Strawberry sets it).
    connection_params: dict[str, Any] | None = None
    ws_user_id: int | None = None  # whose connection slot a WebSocket holds
    _viewer: Viewer | None = field(default=None, init=False)
    _viewer_known: bool = field(default=False, init=False)

    def bearer_token(self) -> str | None:
        """From the Authorization header, or over WebSocket from `connection_init`'s payload
        (`{"authorization": "Bearer <token>"}`: browsers cannot set a WebSocket's headers)."""
        params = self.connection_params or {}
        header = str(params.get("authorization") or self.request.headers.get("authorization", ""))
        scheme, _, token = header.partition(" ")
        return token.strip() or None if scheme.lower() == "bearer" else None

    def session_token(self) -> str | None:
        return self.bearer_token() or self.session_cookie

    async def viewer(self) -> Viewer | None:
        """The signed-in user, looked up once per request (the response cache may have)."""
        if not self._viewer_known:
            identity: Identity | None = getattr(self.request.state, "identity", None)
            if identity is not None:
                self._viewer = identity.viewer
            else:
                token = self.session_token()
                self._viewer = await authenticate(token, self.clock.now()) if token else None
            self._viewer_known = True
            record = current_record()
            if record is not None and self._viewer is not None:
                record.viewer_id = self._viewer.user_id
        return self._viewer

    async def current_viewer(self) -> Viewer | None:
        """The session looked up again now (a subscription asks before every event)."""
        token = self.session_token()
        return await authenticate(token, self.clock.now()) if token else None

    def known_viewer(self) -> Viewer | None:
        """The viewer if already looked up (the back-office view does so up front)."""
        return self._viewer

    def client_ip(self) -> str:
        return self.request.client.host if self.request.client else "unknown"

    async def within_budget(self, limiter: RateLimiter, *keys: str) -> None:
        """Count this request against `keys`; refused as `answer_limits` says."""
        await self.answer_limits(limiter.enforce(*keys))

    async def answer_limits(self, call: Awaitable[T]) -> T:
        """Await `call`; a budget's refusal answers 429 (or 503 when a budget that fails closed
        cannot reach its store) with Retry-After, and the GraphQL error says why."""
        try:
            return await call
        except (RateLimited, Unavailable) as refused:
            self.response.status_code = 429 if isinstance(refused, RateLimited) else 503
            self.response.headers["retry-after"] = str(refused.retry_after)
            raise

    async def require_viewer(self) -> Viewer:
        viewer = await self.viewer()
        if viewer is None:
            raise Unauthenticated()
        return viewer


Info = strawberry.Info[Context, None]
