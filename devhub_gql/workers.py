"""Several uvicorn workers behind one listening socket that the supervisor accepts on.

The supervisor accepts every connection itself and hands it to the next worker in turn, over a
Unix socket (SCM_RIGHTS), as Node's cluster module does. Connections opened together (a reverse
proxy's upstream pool, a load generator) then split evenly. The two ways uvicorn and the kernel
offer do not: a shared socket goes to whichever worker wakes first (16 of 16 connections on one
worker, measured here), and SO_REUSEPORT hashes each connection to a worker at random (3 and 13
of 16 in two of eight tries). With keep-alive, a connection stays where it landed, so one worker
did most of the work while the other idled, and its queue made the tail.

The price is one hop per new connection (an accept and a sendmsg in the supervisor), not per
request. The supervisor accepts only once every worker has said it is ready, and afterwards hands
out only to ready workers, so a worker that is restarting misses its turns instead of holding
connections it cannot answer yet. A worker killed outright takes with it the connections it had
taken; those handed to it that it had not taken yet are still in its channel, whose end the
supervisor keeps too, and go to the other workers.

A worker that exits before the service first started stops the service, whatever its exit
status: uvicorn's start-up failure (3) and a worker killed while starting (a signal: the
out-of-memory killer, a crash in an extension) would each fail every restart the same way.
Once the service has started, a worker that dies is replaced, unless its replacement's start-up
fails (status 3).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import multiprocessing
import os
import select
import signal
import socket
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn
from uvicorn.config import STARTUP_FAILURE

logger = logging.getLogger("devhub_gql.workers")

# How often the supervisor looks for a worker that died or a stop that was asked for.
WATCH_SECONDS = 0.5
READY = b"ready"
CONNECTION = b"c"


def listening_socket(host: str, port: int, backlog: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    return sock


class HandedConnectionsServer(uvicorn.Server):
    """A uvicorn server that listens on nothing: it serves the connections its supervisor
    accepted and sends over `channel`. It stops when the supervisor goes away."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self.channel = channel

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])
        loop = asyncio.get_running_loop()
        self.channel.setblocking(False)
        loop.add_reader(self.channel.fileno(), self._receive, loop)
        self.channel.send(READY)

    def _receive(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            message, fds, _, _ = socket.recv_fds(self.channel, len(CONNECTION), 1)
        except BlockingIOError:
            return
        if not message:  # the supervisor is gone
            loop.remove_reader(self.channel.fileno())
            self.should_exit = True
            return
        for fd in fds:
            connection = socket.socket(fileno=fd)
            loop.create_task(loop.connect_accepted_socket(self._protocol, connection))

    def _protocol(self) -> asyncio.Protocol:
        # What uvicorn's startup builds for a connection its own listener accepts.
        protocol: asyncio.Protocol = self.config.http_protocol_class(  # type: ignore[call-arg]  # uvicorn types the class as a bare Protocol
            config=self.config, server_state=self.server_state, app_state=self.lifespan.state
        )
        return protocol

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        asyncio.get_running_loop().remove_reader(self.channel.fileno())
        self.channel.close()
        await super().shutdown(sockets)


def _worker(config: uvicorn.Config, channel: socket.socket) -> None:
    config.configure_logging()  # a spawned process starts without the parent's logging
    try:
        HandedConnectionsServer(config, channel).run()
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; the parent handles it
        pass


def serve(config: uvicorn.Config, workers: int = 1) -> int:
    """Serve in this process, or in `workers` processes; the exit status."""
    if workers > 1:
        return serve_workers(config, workers)
    server = uvicorn.Server(config)
    server.run()
    return 0 if server.started else STARTUP_FAILURE


class Worker:
    """A worker process and the supervisor's end of its channel."""

    def __init__(self, config: uvicorn.Config) -> None:
        self.channel, self.theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        context = multiprocessing.get_context("spawn")
        self.process: BaseProcess = context.Process(target=_worker, args=(config, self.theirs))
        self.process.start()
        # The child has its own copy of its end. This one stays open, so that the connections
        # handed to a worker that dies before taking them can be taken back (`untaken`).
        self.theirs.setblocking(False)
        self.channel.setblocking(False)
        self.ready = False

    def hand(self, connection: socket.socket) -> bool:
        """Send `connection` to this worker; False when it cannot take it now."""
        try:
            socket.send_fds(self.channel, [CONNECTION], [connection.fileno()])
        except (BlockingIOError, BrokenPipeError, ConnectionResetError):
            return False
        return True

    def read(self) -> None:
        """What the worker said: that it is ready."""
        try:
            message = self.channel.recv(len(READY))
        except (BlockingIOError, ConnectionResetError):
            return
        self.ready = message == READY

    def untaken(self) -> list[socket.socket]:
        """The connections handed to this worker, now dead, that it never took."""
        connections: list[socket.socket] = []
        while True:
            try:
                _, fds, _, _ = socket.recv_fds(self.theirs, len(CONNECTION), 1)
            except OSError:  # BlockingIOError: none left
                return connections
            connections.extend(socket.socket(fileno=fd) for fd in fds)

    def stop(self) -> None:
        if self.process.is_alive() and self.process.pid is not None:
            os.kill(self.process.pid, signal.SIGTERM)  # it finishes its requests in flight

    def close(self) -> None:
        self.process.join()
        self.channel.close()
        self.theirs.close()


def serve_workers(config: uvicorn.Config, count: int) -> int:
    """Run `count` workers until SIGINT or SIGTERM; restart one that dies. Returns the exit
    status: 1 when a worker could not start (a broken app or database would fail every restart)."""
    try:
        listener = listening_socket(config.host, config.port, config.backlog)
    except OSError as exc:
        logger.error("cannot listen on %s:%d: %s", config.host, config.port, exc)
        return 1
    listener.setblocking(False)
    stopping = False

    def request_stop(signum: int, _: FrameType | None) -> None:
        nonlocal stopping
        logger.info("received %s, stopping the workers", signal.Signals(signum).name)
        stopping = True

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, request_stop)

    workers = [Worker(config) for _ in range(count)]
    turns = itertools.count()
    all_started = False
    status = 0
    try:
        while not stopping:
            # Until every worker has started, connections wait in the listener's queue.
            all_started = all_started or all(worker.ready for worker in workers)
            # A worker's channel says it is ready; its sentinel, that its process ended.
            watched: list[socket.socket | int] = [worker.channel for worker in workers]
            watched += [worker.process.sentinel for worker in workers]
            if all_started and any(worker.ready for worker in workers):
                watched.append(listener)
            readable, _, _ = select.select(watched, [], [], WATCH_SECONDS)
            for worker in workers:
                if worker.channel in readable:
                    worker.read()
            if listener in readable:
                dispatch(listener, workers, turns)
            for index, worker in enumerate(workers):
                if worker.process.is_alive():
                    continue
                worker.ready = False
                untaken = worker.untaken()
                worker.close()
                if not all_started or worker.process.exitcode == STARTUP_FAILURE:
                    logger.error(
                        "worker %d could not start (exit status %s); stopping",
                        worker.process.pid,
                        worker.process.exitcode,
                    )
                    for connection in untaken:
                        connection.close()
                    stopping, status = True, 1
                    break
                logger.warning(
                    "worker %d exited with %s; starting another (%d connections handed to it"
                    " and not taken go to the others)",
                    worker.process.pid,
                    worker.process.exitcode,
                    len(untaken),
                )
                workers[index] = Worker(config)
                for connection in untaken:
                    hand_out(connection, workers, turns)
    finally:
        listener.close()  # connections still in its queue are reset; no new ones arrive
        for worker in workers:
            worker.stop()
        for worker in workers:
            worker.close()
    return status


def dispatch(listener: socket.socket, workers: list[Worker], turns: itertools.count[int]) -> None:
    """Hand every connection waiting on `listener` to the ready workers in turn."""
    while True:
        try:
            connection, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:  # out of descriptors, a connection reset while queued
            logger.warning("accept failed: %s", exc)
            return
        hand_out(connection, workers, turns)


def hand_out(connection: socket.socket, workers: list[Worker], turns: itertools.count[int]) -> None:
    """Hand `connection` to the next ready worker in turn (one whose channel is full is
    skipped), then close the supervisor's copy."""
    with connection:
        ready = [worker for worker in workers if worker.ready]
        start = next(turns)
        if not any(
            ready[(start + offset) % len(ready)].hand(connection) for offset in range(len(ready))
        ):
            logger.warning("no worker could take a connection; closing it")
