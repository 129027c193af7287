"""Live events: what changed, published once the transaction that changed it has committed.

Commands run in `transaction()`: what they record (every audit entry `lifecycle.transition`
writes, and reviewers' claims) is published after the commit, never for a rollback. Delivery
goes to this process's subscribers directly, or, on PostgreSQL, through `NOTIFY` so that every
process of every host hears it (`listen_to_postgres`, run by the service's lifespan); events
carry ids only, and subscribers read the state they show, with their viewer's rights, when they
hear one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass

import asyncpg
import orjson
from tortoise import Tortoise
from tortoise.transactions import in_transaction

log = logging.getLogger("devhub.events")

CHANNEL = "devhub_events"
QUEUE_SIZE = 256  # a subscriber this far behind is dropped, not allowed to hold memory
RECONNECT_SECONDS = 1.0


@dataclass(frozen=True)
class Event:
    """An app's audit action (or CLAIMED / RELEASED), with the submission it concerns, if any."""

    action: str
    app_id: int
    company_id: int
    submission_id: int | None = None

    def encode(self) -> str:
        return orjson.dumps(asdict(self)).decode()

    @classmethod
    def decode(cls, payload: str) -> Event:
        return cls(**orjson.loads(payload))


class Subscriber:
    """One listener's queue; closed (and told so) when it falls too far behind."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue(QUEUE_SIZE)

    def offer(self, event: Event) -> bool:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            return False
        return True

    async def __aiter__(self) -> AsyncIterator[Event]:
        while (event := await self.queue.get()) is not None:
            yield event


class Hub:
    """This process's subscribers."""

    def __init__(self) -> None:
        self.subscribers: set[Subscriber] = set()

    def deliver(self, event: Event) -> None:
        for subscriber in list(self.subscribers):
            if not subscriber.offer(event):
                log.warning("dropped a subscriber %d events behind", QUEUE_SIZE)
                self.subscribers.discard(subscriber)

    def close_all(self) -> None:
        for subscriber in self.subscribers:
            if not subscriber.queue.full():
                subscriber.queue.put_nowait(None)  # ends its iteration
        self.subscribers.clear()


HUB = Hub()


async def _deliver_here(events: list[Event]) -> None:
    for event in events:
        HUB.deliver(event)


async def _notify_postgres(events: list[Event]) -> None:
    connection = Tortoise.get_connection("default")
    for event in events:
        await connection.execute_query("SELECT pg_notify($1, $2)", [CHANNEL, event.encode()])


# How committed events leave this process: straight to its subscribers, or (once the process
# listens to PostgreSQL) through NOTIFY, which brings them back here as to every other process.
_publish: Callable[[list[Event]], Awaitable[None]] = _deliver_here
_pending: ContextVar[list[Event] | None] = ContextVar("pending_events", default=None)


def record(event: Event) -> None:
    """Publish `event` once the enclosing `transaction()` commits."""
    pending = _pending.get()
    if pending is None:
        raise RuntimeError("events are recorded inside events.transaction()")
    pending.append(event)


async def announce(event: Event) -> None:
    """Publish an event about a change already committed (a single-statement command)."""
    try:
        await _publish([event])
    except Exception:  # the change is committed; live updates are best effort
        log.exception("could not publish %s", event)


@asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """`in_transaction()`, whose recorded events are published after it commits (an inner one
    leaves them to the outermost)."""
    if _pending.get() is not None:
        async with in_transaction():
            yield
        return
    pending: list[Event] = []
    token = _pending.set(pending)
    try:
        async with in_transaction():
            yield
    finally:
        _pending.reset(token)
    if pending:
        try:
            await _publish(pending)
        except Exception:  # the change is committed; live updates are best effort
            log.exception("could not publish %d events", len(pending))


@asynccontextmanager
async def subscription() -> AsyncIterator[Subscriber]:
    subscriber = Subscriber()
    HUB.subscribers.add(subscriber)
    try:
        yield subscriber
    finally:
        HUB.subscribers.discard(subscriber)


async def listen_to_postgres(database_url: str, stop: asyncio.Event) -> None:
    """Hear every process's events until `stop`; reconnects after losing the server. While it
    listens, this process publishes through NOTIFY too."""
    global _publish
    dsn = database_url.replace("postgres://", "postgresql://", 1)

    def heard(_connection: object, _pid: int, _channel: str, payload: str) -> None:
        HUB.deliver(Event.decode(payload))

    while not stop.is_set():
        try:
            connection = await asyncpg.connect(dsn)
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("cannot listen for events: %s", exc)
            _publish = _deliver_here
            await _wait(stop, RECONNECT_SECONDS)
            continue
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection, lost=lost: lost.set())
        try:
            await connection.add_listener(CHANNEL, heard)
            _publish = _notify_postgres
            await _first(stop.wait(), lost.wait())
        finally:
            _publish = _deliver_here
            if not connection.is_closed():
                await connection.close()
    HUB.close_all()


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass


async def _first(*waits: Awaitable[object]) -> None:
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
