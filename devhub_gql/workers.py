"""Several uvicorn workers, each accepting on its own socket bound to the same port.

uvicorn's own supervisor binds one socket and shares it: whichever worker wakes first accepts
every connection waiting in the queue. Keep-alive clients that connect together (a reverse
proxy's upstream pool, a load generator) then all land on one worker while the other idles: 16 of
16, 49 of 64 measured here. With SO_REUSEPORT each worker listens on a socket of its own and the
kernel hashes every new connection to one of them, so they spread evenly.

The price, documented by the kernel: connections still waiting in a worker's queue when it stops
are reset instead of going to another worker. Workers stop gracefully on SIGTERM, so that is only
the few that arrive in its last moment.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn
from uvicorn.config import STARTUP_FAILURE

logger = logging.getLogger("devhub_gql.workers")

# How often the supervisor looks for a worker that died.
WATCH_SECONDS = 0.5


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound with SO_REUSEPORT (asyncio makes it listen when it serves on it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _worker(config: uvicorn.Config) -> None:
    config.configure_logging()  # a spawned process starts without the parent's logging
    try:
        sock = listening_socket(config.host, config.port)
    except OSError as exc:
        logger.error("cannot listen on %s:%d: %s", config.host, config.port, exc)
        sys.exit(STARTUP_FAILURE)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; the parent handles it
        pass


def serve(config: uvicorn.Config, workers: int = 1) -> int:
    """Serve in this process, or in `workers` processes; the exit status."""
    if workers > 1:
        return serve_workers(config, workers)
    server = uvicorn.Server(config)
    server.run()
    return 0 if server.started else STARTUP_FAILURE


def serve_workers(config: uvicorn.Config, workers: int) -> int:
    """Run `workers` processes until SIGINT or SIGTERM; restart one that dies. Returns the exit
    status: 1 when a worker could not start (a broken app or database would fail every restart)."""
    # Bound but never listening: holds the port (a clash fails here, once, with a clear error)
    # and takes no connections itself.
    try:
        reserved = listening_socket(config.host, config.port)
    except OSError as exc:
        logger.error("cannot listen on %s:%d: %s", config.host, config.port, exc)
        return 1
    context = multiprocessing.get_context("spawn")
    stop = threading.Event()

    def request_stop(signum: int, _: FrameType | None) -> None:
        logger.info("received %s, stopping the workers", signal.Signals(signum).name)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, request_stop)

    def start() -> BaseProcess:
        process = context.Process(target=_worker, args=(config,), daemon=False)
        process.start()
        return process

    processes = [start() for _ in range(workers)]
    status = 0
    try:
        while not stop.wait(WATCH_SECONDS):
            for index, process in enumerate(processes):
                if process.is_alive():
                    continue
                process.join()
                if process.exitcode == STARTUP_FAILURE:
                    logger.error("worker %d could not start; stopping", process.pid)
                    stop.set()
                    status = 1
                    break
                logger.warning(
                    "worker %d exited with %s; starting another", process.pid, process.exitcode
                )
                processes[index] = start()
    finally:
        for process in processes:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)  # each finishes its requests in flight
        for process in processes:
            process.join()
        reserved.close()
    return status
