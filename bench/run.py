"""Benchmark entry point: seed, verify, measure and report, for one database and one or two sizes.

    python -m bench.run [--size small|large|both] [--database sqlite|postgres] [--workers N]
                        [--duration SECONDS] [--concurrency 16,64] [--reuse-data]
                        [--results PATH]

A smoke run (correctness, not figures): --size small --duration 1 --results bench/.data/x.md

For each size: seed a fresh database (or reuse one with --reuse-data), count SQL statements per
operation in-process, start the servers as separate processes (the service as configured, the
service with its response cache off, the baselines, the Authlib peer), check their answers, then
drive every operation at every concurrency with the load generator (another process), and every
operation of the service once more open loop at half its capacity. Prints the table and the
targets and writes them to bench/RESULTS.md (or --results).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sqlite3
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import asyncpg

from bench import processes
from bench.config import DATA_DIR, DEFAULT_POSTGRES_SERVER, RESULTS_FILE, SIZES, Target
from bench.load import run_load, sequential_latency
from bench.processes import RESPONSE_CACHE_OFF, Server
from bench.report import (
    OPEN_LOOP_CONCURRENCY,
    OPEN_LOOP_LOAD,
    Run,
    SizeResult,
    section,
    write_results,
)
from bench.scenarios import (
    AUTHLIB,
    BASELINES,
    EMPTY_ANSWER,
    OPERATIONS,
    SERVICE,
    UNCACHED,
    Operation,
)
from bench.seed import seed
from bench.statements import count_all
from bench.verify import verify


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--size", choices=("small", "large", "both"), default="small")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of each server")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--concurrency", default="16,64", help="comma-separated connections")
    parser.add_argument(
        "--postgres-server",
        default=DEFAULT_POSTGRES_SERVER,
        help="PostgreSQL server URL without a database; benchmark databases are created on it",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS_FILE,
        help="the Markdown file to write (a smoke run can keep bench/RESULTS.md as it is)",
    )
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="keep a database an earlier run seeded completely, instead of seeding afresh",
    )
    args = parser.parse_args(argv)
    args.concurrencies = [int(value) for value in args.concurrency.split(",") if value.strip()]
    if not args.concurrencies:
        parser.error("--concurrency needs at least one number")
    if args.workers > 1 and args.database == "sqlite":
        parser.error("several workers need --database postgres (the service refuses SQLite)")
    return args


def database_version(target: Target) -> str:
    if target.database == "sqlite":
        return f"SQLite {sqlite3.sqlite_version} (file, WAL)"

    async def fetch() -> str:
        conn = await asyncpg.connect(f"{target.postgres_server.rstrip('/')}/postgres")
        try:
            return await conn.fetchval("SHOW server_version")
        finally:
            await conn.close()

    return f"PostgreSQL {asyncio.run(fetch()).split()[0]} (local server)"


def log(message: str) -> None:
    print(message, flush=True)


def peer_versions() -> str:
    names = ("Authlib", "SQLAlchemy", "psycopg")
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in names)
    return f"{versions} (SQLite through the standard library's sqlite3 {sqlite3.sqlite_version})"


def start_servers(url: str, workers: int, servers: dict[str, Server]) -> None:
    """Fills `servers` as they come up, so the caller stops those that started."""
    servers[SERVICE] = processes.start_service(url, workers)
    servers[UNCACHED] = processes.start_service(
        url, workers, name="service-cache-off", env=RESPONSE_CACHE_OFF
    )
    servers[BASELINES] = processes.start_baselines(url, workers)
    servers[AUTHLIB] = processes.start_authlib(url, workers)


def measure_row(
    operation: Operation, server: Server, concurrency: int, duration: float
) -> dict[str, Any]:
    spec = operation.load_spec(server.port, concurrency, duration, [server.process.pid])
    row = {"operation": operation.name, "concurrency": concurrency, **run_load(spec)}
    log(
        f"  {operation.name:34} c={concurrency:<3} {row['rps']:8.0f} req/s "
        f"p50 {row['p50_ms']:7.2f} ms  p99 {row['p99_ms']:7.2f} ms  "
        f"errors {row['errors']}  client CPU {row['client_cpu']:.0%}"
    )
    if row["error_sample"]:
        log(f"    first error: {row['error_sample']}")
    return row


def open_loop(
    operation: Operation, servers: dict[str, Server], capacity: float, duration: float
) -> dict[str, Any]:
    """The tail below saturation: a request due every so often whatever the answers do; then an
    empty answer from the baselines' server at the same rate, the tail of everything but the
    service."""
    rate = capacity * OPEN_LOOP_LOAD
    found = _open_loop_at(operation, servers[operation.server], rate, duration)
    floor = _open_loop_at(EMPTY_ANSWER, servers[BASELINES], rate, duration)
    keys = ("requests", "errors", "p50_ms", "p99_ms", "max_ms", "error_sample")
    return {
        "rate": rate,
        **{key: found[key] for key in keys},
        "floor_p50_ms": floor["p50_ms"],
        "floor_p99_ms": floor["p99_ms"],
        "floor_errors": floor["errors"],
    }


def _open_loop_at(
    operation: Operation, server: Server, rate: float, duration: float
) -> dict[str, Any]:
    spec = operation.load_spec(server.port, OPEN_LOOP_CONCURRENCY, duration, [server.process.pid])
    spec["rate"] = rate
    found = run_load(spec)
    log(
        f"    open loop, {operation.name} at {rate:.0f} req/s: p50 {found['p50_ms']:.2f} ms  "
        f"p99 {found['p99_ms']:.2f} ms  errors {found['errors']}"
    )
    if found["error_sample"]:
        log(f"    first error: {found['error_sample']}")
    return found


def measuring_order() -> list[list[Operation]]:
    """Each operation of the service with the baselines and peers it is held to that no earlier
    group measured, then whatever is left. A ratio compares two rows; measured minutes apart, it
    also measures how the shared host's speed drifted in between (two runs of one commit differed
    by 10% and more), so the two sides of a ratio run back to back."""
    by_name = {operation.name: operation for operation in OPERATIONS}
    placed: set[str] = set()
    groups = []
    for operation in OPERATIONS:
        if operation.name in placed:
            continue
        partners = dict.fromkeys(
            versus.baseline for versus in operation.versus if versus.baseline not in placed
        )
        group = [operation, *(by_name[name] for name in partners)]
        placed.update(member.name for member in group)
        groups.append(group)
    return groups


def measure_group(
    group: list[Operation], servers: dict[str, Server], run: Run
) -> list[dict[str, Any]]:
    """Every member at each connection count, the members alternating."""
    rows = []
    for concurrency in run.concurrencies:
        for operation in group:
            server = servers[operation.server]
            rows.append(measure_row(operation, server, concurrency, run.duration))
            if server.process.poll() is not None:
                raise RuntimeError(f"{server.name} died under load:\n{server.log_tail()}")
    return rows


def measure(run: Run, target: Target, reuse: bool) -> SizeResult:
    result = SizeResult(size=target.size.name)
    if reuse and target.marker.exists():
        result.reused_seed_seconds = json.loads(target.marker.read_text()).get("seconds")
        log(f"{target.size.name}: reusing the seeded {target.database} database")
    else:
        started = time.perf_counter()
        asyncio.run(seed(target, log=log))
        result.seed_seconds = time.perf_counter() - started
        log(f"{target.size.name}: seeded in {result.seed_seconds:.1f}s")
    started = time.perf_counter()
    result.statements = asyncio.run(count_all(target.url))
    servers: dict[str, Server] = {}
    try:
        start_servers(target.url, run.workers, servers)
        result.checked, result.notes = verify(servers)
        for line in result.checked:
            log(f"  ok: {line}")
        for note in result.notes:
            log(f"  note: {note}")
        for name in (SERVICE, BASELINES):
            request = next(op for op in OPERATIONS if op.server == name).requests[0]
            result.sequential_ms[name] = asyncio.run(
                sequential_latency(servers[name].port, request)
            )
        log(f"  one connection, sequential: {result.sequential_ms}")
        for group in measuring_order():
            rows = measure_group(group, servers, run)
            result.rows.extend(rows)
            operation = group[0]
            if operation.of_service:
                # Capacity at the open loop's connection count, else at the fewest measured.
                by_concurrency = {
                    row["concurrency"]: row for row in rows if row["operation"] == operation.name
                }
                base = (
                    by_concurrency.get(OPEN_LOOP_CONCURRENCY) or by_concurrency[min(by_concurrency)]
                )
                if base["rps"] > 0:
                    result.open_loop[operation.name] = open_loop(
                        operation, servers, base["rps"], run.duration
                    )
        position = {operation.name: index for index, operation in enumerate(OPERATIONS)}
        result.rows.sort(key=lambda row: (position[row["operation"]], row["concurrency"]))
    finally:
        for server in servers.values():
            processes.stop(server)
    result.measure_seconds = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = ["small", "large"] if args.size == "both" else [args.size]
    first = Target(args.database, SIZES[sizes[0]], args.postgres_server)
    run = Run(
        database=args.database,
        database_version=database_version(first),
        workers=args.workers,
        duration=args.duration,
        concurrencies=args.concurrencies,
        command=shlex.join(["python", "-m", "bench.run", *sys.argv[1:]]),
        peer=peer_versions(),
    )
    for size in sizes:
        target = Target(args.database, SIZES[size], args.postgres_server)
        run.sizes.append(measure(run, target, args.reuse_data))
    text = section(run)
    print("\n" + text)
    write_results(run, args.results)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    raw = DATA_DIR / f"results-{args.database}.json"
    raw.write_text(json.dumps([size.__dict__ for size in run.sizes], indent=2, default=str))
    print(f"written to {args.results} (raw figures: {raw})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
