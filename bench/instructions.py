"""Instructions per request: each operation beside what it is held to, counted instead of timed.

On a shared host the CPU time of the same work moves by half from one minute to the next (see
RESULTS.md); the number of instructions it executes does not. This runs each operation, and each
baseline or peer it is compared with, in process (its ASGI app driven without a socket,
configured as its server is) under valgrind's callgrind, counting only while the requests run,
after a warm-up. It prints instructions per request and, for each comparison, the ratio of the
other's count to the operation's (above 1: the operation executes fewer). Two runs of the same
code agree within 0.2%, so a change of 1% shows.

What it does not count: the kernel (sockets, the request line's write), the database server, and
what each instruction costs (an instruction that waits for memory costs more): an operation that
executes as many instructions as its baseline can still take longer. The throughput rows of
`bench.run` stay the targets' measure; this says whether a change made the work smaller.

    python -m bench.instructions "oauth introspect" "baseline D: introspect SQL"
    python -m bench.instructions --database postgres      # every operation

Needs valgrind, and a database seeded with `python -m bench.seed`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from bench.config import DATA_DIR, SIZES, Target
from bench.scenarios import AUTHLIB, BASELINES, BY_NAME, Operation
from bench.statements import SERVER_ENV

WARMUP = 50
_COLLECTED = re.compile(r"Collected : (\d+)")


# The child: one operation's app in this process, driven on the parent's word. ------------------
def _scope(request: dict[str, Any], body: bytes) -> dict[str, Any]:
    headers = [(name.lower().encode(), value.encode()) for name, value in request["headers"]]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.get("method", "POST"),
        "scheme": "http",
        "path": request["path"],
        "raw_path": request["path"].encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [*headers, (b"host", b"127.0.0.1"), (b"content-length", b"%d" % len(body))],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def _answer(app: Any, request: dict[str, Any]) -> None:
    """One request through the app; raises unless it answered 200 without GraphQL errors."""
    body = request.get("body", "").encode()
    answer: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        answer.append(message.get("status", message.get("body", b"")))

    await app(_scope(request, body), receive, send)
    if answer[0] != 200 or b'"errors"' in b"".join(part for part in answer[1:]):
        raise RuntimeError(f"{request['path']} answered {answer}")


async def _open_app(
    operation: Operation, database_url: str
) -> tuple[Any, Callable[[], Awaitable[Any]]]:
    """The operation's ASGI app, started as its server starts it, and what closes it."""
    if operation.of_service:
        from tortoise import Tortoise

        from devhub_gql.app import create_app
        from devhub_gql.db import tortoise_config
        from devhub_gql.observability import configure_logging
        from devhub_gql.settings import Settings

        env = {
            "DATABASE_URL": database_url,
            "DEVHUB_ENV": "development",
            "DEVHUB_LOG_LEVEL": "INFO",  # as bench.processes: the request line is written
            "DEVHUB_PUBLIC_URL": "http://127.0.0.1:8000",
            **SERVER_ENV[operation.server],
        }
        settings = Settings.from_env(env)
        configure_logging(settings.log_level, settings.log_format)
        await Tortoise.init(config=tortoise_config(settings.database_url))
        return create_app(settings, manage_database=False), Tortoise.close_connections
    os.environ["DATABASE_URL"] = database_url
    if operation.server == BASELINES:
        from bench.baselines import create_app as create_baselines

        app = create_baselines()
    else:
        assert operation.server == AUTHLIB, operation.server
        from bench.authlib_peer import create_app as create_peer

        app = create_peer()
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    return app, partial(lifespan.__aexit__, None, None, None)


async def _child(name: str, database_url: str, count: int) -> None:
    operation = BY_NAME[name]
    request = operation.requests[0]
    app, close = await _open_app(operation, database_url)
    for _ in range(WARMUP):
        await _answer(app, request)
    gc.collect()
    gc.freeze()  # as the service does once started
    _say("ready")
    _await_word("go")  # counting is on from here
    for _ in range(count):
        await _answer(app, request)
    _say("done")
    _await_word("stop")  # counting is off again
    await close()


def _say(word: str) -> None:
    sys.stdout.write(word + "\n")
    sys.stdout.flush()


def _await_word(word: str) -> None:
    heard = sys.stdin.readline().strip()
    if heard != word:
        raise SystemExit(f"expected {word!r}, heard {heard!r}")


# The parent: each operation in a child under callgrind. ---------------------------------------
def count_instructions(name: str, database_url: str, count: int) -> int:
    """Instructions per request of one operation (its child process under callgrind)."""
    with tempfile.TemporaryDirectory() as work:
        valgrind_log = Path(work) / "valgrind.log"
        logs = DATA_DIR / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        server_log = logs / f"instructions-{re.sub(r'[^a-z0-9]+', '-', name.lower())}.log"
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={Path(work) / 'callgrind.out'}",
            f"--log-file={valgrind_log}",
            sys.executable,
            "-m",
            "bench.instructions",
            "--child",
            name,
            "--url",
            database_url,
            "--requests",
            str(count),
        ]
        with server_log.open("wb") as stderr:
            child = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True
            )
            assert child.stdin is not None and child.stdout is not None
            try:
                _expect(child, "ready", server_log)
                _callgrind_control("--instr=on", child.pid)
                _tell(child, "go")
                _expect(child, "done", server_log)
                _callgrind_control("--instr=off", child.pid)
                _tell(child, "stop")
                if child.wait(timeout=600) != 0:
                    raise RuntimeError(f"{name}: the child failed; see {server_log}")
            finally:
                if child.poll() is None:
                    child.kill()
        found = _COLLECTED.search(valgrind_log.read_text())
        if found is None:
            raise RuntimeError(f"{name}: callgrind reported no count in {valgrind_log}")
        return int(found.group(1)) // count


def _callgrind_control(switch: str, pid: int) -> None:
    subprocess.run(["callgrind_control", switch, str(pid)], check=True, capture_output=True)


def _tell(child: subprocess.Popen[str], word: str) -> None:
    assert child.stdin is not None
    child.stdin.write(word + "\n")
    child.stdin.flush()


def _expect(child: subprocess.Popen[str], word: str, server_log: Path) -> None:
    assert child.stdout is not None
    heard = child.stdout.readline().strip()
    if heard != word:
        raise RuntimeError(f"expected {word!r} from the child, got {heard!r}; see {server_log}")


def compared(names: Iterable[str]) -> list[str]:
    """The operations asked for, each followed by what it is held to (once each)."""
    chosen: list[str] = []
    for name in names:
        for each in (name, *(versus.baseline for versus in BY_NAME[name].versus)):
            if each not in chosen:
                chosen.append(each)
    return chosen


def report(counts: dict[str, int]) -> str:
    """A row per comparison; an operation compared with nothing counted gets a row of its own."""
    lines = ["| operation | instructions a request | held to | its instructions | ratio |"]
    lines.append("|---|--:|---|--:|--:|")
    held_to = {v.baseline for name in counts for v in BY_NAME[name].versus if v.baseline in counts}
    for name, mine in counts.items():
        versus = [v.baseline for v in BY_NAME[name].versus if v.baseline in counts]
        for other in versus:
            ratio = counts[other] / mine
            lines.append(f"| {name} | {mine:,} | {other} | {counts[other]:,} | {ratio:.2f}x |")
        if not versus and name not in held_to:
            lines.append(f"| {name} | {mine:,} | | | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("operations", nargs="*", metavar="OPERATION", help="default: all")
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--requests", type=int, default=100, help="requests counted each")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(_child(args.child, args.url, args.requests))
        return
    unknown = [name for name in args.operations if name not in BY_NAME]
    if unknown:
        parser.error(f"unknown operations {unknown}; known: {sorted(BY_NAME)}")
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        parser.exit(1, "valgrind (with callgrind_control) is needed; it is not on PATH\n")
    target = Target(args.database, SIZES[args.size])
    if not target.marker.exists():
        parser.error(f"seed first: python -m bench.seed --size {args.size} --database ...")
    services = [name for name, operation in BY_NAME.items() if operation.versus]
    names = compared(args.operations or services)
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = count_instructions(name, target.url, args.requests)
        print(f"{name}: {counts[name]:,} instructions a request", file=sys.stderr)
    heading = f"Instructions a request, {args.database}, {args.size}"
    print(f"\n{heading} ({args.requests} requests each):\n")
    print(report(counts))


if __name__ == "__main__":
    main()
