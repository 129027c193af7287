"""GraphQL over WebSocket (graphql-transport-ws only): who may connect, how many connections a user
holds, and when a quiet connection is closed.

- A connection is accepted at `connection_init` only with a live session: the payload's
  `authorization` ("Bearer <token>"), or on the back-office the console's cookie (Strawberry has
  already refused a handshake from another origin).
- A user holds at most DEVHUB_WS_CONNECTIONS_PER_USER connections in each process; a connection
  runs at most DEVHUB_WS_SUBSCRIPTIONS_PER_CONNECTION operations at once (Strawberry's limit).
- A connection without a running subscription for DEVHUB_WS_IDLE_SECONDS (by the service's clock)
  is closed with 4408.
- On SIGTERM uvicorn closes every connection (1012, "service restart"); clients reconnect to
  another worker.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message

from devhub_gql.clock import Clock

IDLE_CHECK_SECONDS = 1.0
IDLE_CLOSE_CODE = 4408


class ConnectionSlots:
    """This process's WebSocket connections per user."""

    def __init__(self, per_user: int) -> None:
        self.per_user = per_user
        self.held: Counter[int] = Counter()

    def take(self, user_id: int) -> None:
        if self.held[user_id] >= self.per_user:
            raise ConnectionRejectionError(
                {"message": f"At most {self.per_user} connections per user."}
            )
        self.held[user_id] += 1

    def give_back(self, user_id: int) -> None:
        self.held[user_id] -= 1
        if self.held[user_id] <= 0:
            del self.held[user_id]


class TextFrames(ASGIWebSocketAdapter):
    """graphql-transport-ws is a text protocol: our orjson encoder makes bytes, which Starlette
    would send as binary frames (browsers hand those over as Blobs, not strings)."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        encoded = self.view.encode_json(message)
        try:
            await self.ws.send_text(encoded.decode() if isinstance(encoded, bytes) else encoded)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class TransportHandler(BaseGraphQLTransportWSHandler[Any, Any]):
    """Strawberry's graphql-transport-ws handler, with the idle rule and the connection slot."""

    async def handle(self) -> None:
        self._active_at = self._clock().now()
        watchdog = asyncio.create_task(self._close_when_idle())
        try:
            await super().handle()
        finally:
            watchdog.cancel()
            user_id = getattr(self.context, "ws_user_id", None)
            if user_id is not None:
                self.view.slots.give_back(user_id)  # type: ignore[attr-defined]  # our view's

    async def handle_message(self, message: Message) -> None:
        self._active_at = self._clock().now()
        await super().handle_message(message)

    def _clock(self) -> Clock:
        clock: Clock = self.view.clock  # type: ignore[attr-defined]  # GraphQLEndpoint's
        return clock

    async def _close_when_idle(self) -> None:
        idle = timedelta(seconds=self.view.settings.ws_idle_seconds)  # type: ignore[attr-defined]
        while True:
            await asyncio.sleep(IDLE_CHECK_SECONDS)  # how often to look; the clock decides
            now = self._clock().now()
            if self.operations:
                self._active_at = now
            elif now - self._active_at >= idle:
                await self.websocket.close(IDLE_CLOSE_CODE, "Idle for too long")
                return
