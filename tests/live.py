"""A graphql-transport-ws client for the tests, and the service on a real uvicorn in the test's
own event loop (so the test's database and clock are the service's)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from devhub_gql.cli import HTTP_PROTOCOL
from tests.processes import free_port

WAIT = 10.0  # how long a test waits for a message before failing (never a pause)


@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """The ASGI app on uvicorn at 127.0.0.1, with the service's HTTP protocol (as `serve` runs
    it); yields its host:port."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            http=HTTP_PROTOCOL,
            lifespan="off",
            log_level="warning",
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


class LiveClient:
    """One graphql-transport-ws connection."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.ids = itertools.count(1)

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(orjson.dumps(message).decode())

    async def receive(self) -> dict[str, Any]:
        frame = await asyncio.wait_for(self.connection.recv(), WAIT)
        assert isinstance(frame, str), "graphql-transport-ws speaks in text frames"
        return orjson.loads(frame)

    async def init(self, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        await self.send({"type": "connection_init", "payload": payload or {}})
        return await self.receive()

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        operation = str(next(self.ids))
        await self.send(
            {
                "id": operation,
                "type": "subscribe",
                "payload": {"query": query, "variables": variables or {}},
            }
        )
        return operation

    async def closed(self) -> tuple[int, str]:
        """Wait for the server to close the connection: its code and reason."""
        try:
            while True:
                await asyncio.wait_for(self.connection.recv(), WAIT)
        except ConnectionClosed as closed:
            assert closed.rcvd is not None, "the connection dropped without a close frame"
            return closed.rcvd.code, closed.rcvd.reason


@asynccontextmanager
async def live_client(url: str, **headers: str) -> AsyncIterator[LiveClient]:
    async with connect(
        url,
        subprotocols=["graphql-transport-ws"],
        additional_headers=headers,  # type: ignore[list-item]
    ) as connection:
        yield LiveClient(connection)


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}
