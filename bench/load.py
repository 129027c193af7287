"""A closed-loop HTTP/1.1 load generator, run as its own process.

N keep-alive connections each send their next request as soon as the previous answer arrived,
for a fixed time after a short warm-up. Raw asyncio streams with pre-encoded requests rather than
an HTTP client library: the generator shares a small machine with the servers, so it must spend
far less CPU per request than they do (it reports its own CPU use to show it). It only ever
connects to 127.0.0.1.

`run_load(spec)` starts `python -m bench.load`, which reads the spec as JSON on stdin and prints
the result as JSON: requests/s, p50/p99 latency and errors (a status other than the expected one,
a body containing `reject`, e.g. a GraphQL "errors" key, one lacking `expect`, or a head carrying
`forbid_header`, e.g. a response-cache hit where none may be), the answers carrying
`count_header` (cache hits), and the CPU
used during the measured window by itself and by the server processes named in `watch_pids`.
"""

from __future__ import annotations

import asyncio
import json
import math
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from bench.config import BENCH_DIR
from bench.processes import tree_cpu_seconds

HOST = "127.0.0.1"
STREAM_LIMIT = 1 << 20


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    header_hits: int = 0
    error_sample: str | None = None

    def fail(self, detail: str) -> None:
        self.errors += 1
        if self.error_sample is None:
            self.error_sample = detail[:400]


def encode_request(port: int, request: dict[str, Any]) -> bytes:
    body = request.get("body", "").encode()
    lines = [f"{request.get('method', 'POST')} {request['path']} HTTP/1.1", f"host: {HOST}:{port}"]
    lines += [f"{name}: {value}" for name, value in request.get("headers", [])]
    lines.append(f"content-length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, then the blank line
                pass
            return b"".join(chunks)
        chunks.append((await reader.readexactly(size + 2))[:-2])


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bytes, bool]:
    """(status, lower-cased head, body, server closes)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lower = head.lower()
    start = lower.find(b"\r\ncontent-length:")
    if start >= 0:
        end = lower.find(b"\r\n", start + 2)
        body = await reader.readexactly(int(lower[start + 17 : end]))
    elif b"\r\ntransfer-encoding: chunked" in lower:
        body = await _read_chunked(reader)
    else:
        return status, lower, await reader.read(), True
    return status, lower, body, b"\r\nconnection: close" in lower


class Checker:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.status = spec.get("expect_status", 200)
        self.reject = spec["reject"].encode() if spec.get("reject") else None
        self.expect = spec["expect"].encode() if spec.get("expect") else None
        self.header = spec["count_header"].lower().encode() if spec.get("count_header") else None
        forbid = spec.get("forbid_header")
        self.forbid = forbid.lower().encode() if forbid else None

    def check(self, tally: Tally, status: int, head: bytes, body: bytes) -> None:
        if self.header is not None and self.header in head:
            tally.header_hits += 1
        if (
            status != self.status
            or (self.reject is not None and self.reject in body)
            or (self.expect is not None and self.expect not in body)
        ):
            tally.fail(f"HTTP {status}: {body[:300]!r}")
        elif self.forbid is not None and self.forbid in head:
            tally.fail(f"HTTP {status} with the forbidden header {self.forbid.decode()!r}")


async def _connection(
    port: int,
    payload: bytes,
    checker: Checker,
    start_at: float,
    stop_at: float,
    tally: Tally,
    interval: float | None = None,
    offset: float = 0.0,
) -> None:
    """Closed loop by default; with `interval`, open loop: a request is due every `interval`
    seconds whatever the answers do. When the previous answer came after the request was due,
    its latency counts from when it was due: the slow answer that held it back is charged to it
    too. Otherwise it counts from when it left: the event loop wakes from a timer up to a
    millisecond late (epoll's timeout is in whole milliseconds), and that lateness is the load
    generator's, not the server's."""
    reader, writer = await asyncio.open_connection(HOST, port, limit=STREAM_LIMIT)
    due = time.perf_counter() + offset
    answered = float("-inf")
    try:
        while True:
            if interval is not None:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                scheduled = due
                sent = due if answered > due else time.perf_counter()
                due += interval
            else:
                scheduled = sent = time.perf_counter()
            if scheduled >= stop_at:
                break
            try:
                writer.write(payload)
                status, head, body, closing = await read_response(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                tally.fail(f"{type(exc).__name__}: {exc}")
                writer.close()
                await asyncio.sleep(0.01)
                reader, writer = await asyncio.open_connection(HOST, port, limit=STREAM_LIMIT)
                continue
            answered = time.perf_counter()
            if scheduled >= start_at:
                tally.latencies.append(answered - sent)
                checker.check(tally, status, head, body)
            if closing:
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port, limit=STREAM_LIMIT)
    finally:
        writer.close()


def _percentile(ordered: list[float], fraction: float) -> float:
    """Nearest rank, in milliseconds."""
    if not ordered:
        return float("nan")
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] * 1000


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _server_cpu(pids: list[int]) -> float:
    return sum(tree_cpu_seconds(pid) for pid in pids)


async def generate(spec: dict[str, Any]) -> dict[str, Any]:
    port = int(spec["port"])
    payloads = [encode_request(port, request) for request in spec["requests"]]
    checker = Checker(spec)
    tally = Tally()
    start_at = time.perf_counter() + float(spec.get("warmup", 1.0))
    stop_at = start_at + float(spec["duration"])
    concurrency = int(spec["concurrency"])
    rate = spec.get("rate")  # requests/s across all connections: open loop
    interval = concurrency / float(rate) if rate else None
    tasks = [
        asyncio.create_task(
            _connection(
                port,
                payloads[i % len(payloads)],
                checker,
                start_at,
                stop_at,
                tally,
                interval,
                offset=(interval or 0.0) * i / concurrency,
            )
        )
        for i in range(concurrency)
    ]
    watched = [int(pid) for pid in spec.get("watch_pids", [])]
    await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
    cpu_before, server_before = _cpu_seconds(), _server_cpu(watched)
    await asyncio.sleep(max(0.0, stop_at - time.perf_counter()))
    cpu_used, server_used = _cpu_seconds() - cpu_before, _server_cpu(watched) - server_before
    await asyncio.gather(*tasks)
    ordered = sorted(tally.latencies)
    seconds = float(spec["duration"])
    return {
        "requests": len(ordered),
        "errors": tally.errors,
        "seconds": seconds,
        "rps": (len(ordered) - tally.errors) / seconds,  # successful answers only
        "p50_ms": _percentile(ordered, 0.50),
        "p99_ms": _percentile(ordered, 0.99),
        "max_ms": ordered[-1] * 1000 if ordered else float("nan"),
        "header_hits": tally.header_hits,
        "client_cpu": cpu_used / seconds,
        "server_cpu": server_used / seconds,
        "error_sample": tally.error_sample,
    }


async def sequential_latency(port: int, request: dict[str, Any], count: int = 40) -> float:
    """Median latency in ms of requests sent one at a time on one keep-alive connection.

    The unloaded figure, and a detector: a response written in two parts (head, then body) to a
    socket without TCP_NODELAY waits for the client's delayed ACK, about 40 ms on Linux.
    """
    reader, writer = await asyncio.open_connection(HOST, port, limit=STREAM_LIMIT)
    payload = encode_request(port, request)
    latencies = []
    try:
        for _ in range(count):
            sent = time.perf_counter()
            writer.write(payload)
            await read_response(reader)
            latencies.append((time.perf_counter() - sent) * 1000)
    finally:
        writer.close()
    return sorted(latencies[count // 4 :])[len(latencies[count // 4 :]) // 2]


def run_load(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one measurement in a separate process; bounded by the spec's duration."""
    limit = float(spec["duration"]) + float(spec.get("warmup", 1.0)) + 60
    done = subprocess.run(
        [sys.executable, "-m", "bench.load"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        timeout=limit,
        cwd=BENCH_DIR.parent,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)


def main() -> None:
    spec = json.load(sys.stdin)
    limit = float(spec["duration"]) + float(spec.get("warmup", 1.0)) + 30
    result = asyncio.run(asyncio.wait_for(generate(spec), timeout=limit))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
