"""Benchmark entry point: seed, verify, measure and report, for one database and one or two sizes.

    python -m bench.run [--size small|large|both] [--database sqlite|postgres] [--workers N]
                        [--duration SECONDS] [--concurrency 16,64] [--reuse-data]

For each size: seed a fresh database (or reuse one with --reuse-data), count SQL statements per
operation in-process, start the service and the baselines as separate processes, check their
answers, then drive every operation at every concurrency with the load generator (a third
process). Prints the table and the targets and writes them to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sqlite3
import sys
import time

import asyncpg

from bench import processes
from bench.config import DATA_DIR, DEFAULT_POSTGRES_SERVER, SIZES, Target
from bench.load import run_load, sequential_latency
from bench.report import Run, SizeResult, section, write_results
from bench.scenarios import OPERATIONS
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
        "--reuse-data",
        action="store_true",
        help="keep a database an earlier run seeded completely, instead of seeding afresh",
    )
    args = parser.parse_args(argv)
    args.concurrencies = [int(value) for value in args.concurrency.split(",") if value.strip()]
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


OPEN_LOOP_CONCURRENCY = 16
OPEN_LOOP_LOAD = 0.5  # fraction of the closed-loop capacity


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
    service = processes.start_service(target.url, run.workers)
    baselines = processes.start_baselines(target.url, run.workers)
    servers = {"service": service, "baselines": baselines}
    try:
        result.checked = verify(service, baselines)
        for line in result.checked:
            log(f"  ok: {line}")
        for name, server in servers.items():
            request = next(op for op in OPERATIONS if op.server == name).requests[0]
            result.sequential_ms[name] = asyncio.run(sequential_latency(server.port, request))
        log(f"  one connection, sequential: {result.sequential_ms}")
        for operation in OPERATIONS:
            server = servers[operation.server]
            for concurrency in run.concurrencies:
                spec = operation.load_spec(
                    server.port, concurrency, run.duration, [server.process.pid]
                )
                row = {"operation": operation.name, "concurrency": concurrency, **run_load(spec)}
                result.rows.append(row)
                log(
                    f"  {operation.name:34} c={concurrency:<3} {row['rps']:8.0f} req/s "
                    f"p50 {row['p50_ms']:7.2f} ms  p99 {row['p99_ms']:7.2f} ms  "
                    f"errors {row['errors']}  client CPU {row['client_cpu']:.0%}"
                )
                if row["error_sample"]:
                    log(f"    first error: {row['error_sample']}")
                if concurrency == OPEN_LOOP_CONCURRENCY and row["rps"] > 0:
                    # The tail below saturation: open loop at half the measured capacity.
                    spec["rate"] = row["rps"] * OPEN_LOOP_LOAD
                    open_loop = run_load(spec)
                    row["open_rate"] = spec["rate"]
                    row["open_p50_ms"] = open_loop["p50_ms"]
                    row["open_p99_ms"] = open_loop["p99_ms"]
                    log(
                        f"    open loop at {spec['rate']:.0f} req/s: p50 "
                        f"{open_loop['p50_ms']:.2f} ms  p99 {open_loop['p99_ms']:.2f} ms"
                    )
                if server.process.poll() is not None:
                    raise RuntimeError(f"{server.name} died under load:\n{server.log_tail()}")
    finally:
        processes.stop(service)
        processes.stop(baselines)
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
    )
    for size in sizes:
        target = Target(args.database, SIZES[size], args.postgres_server)
        run.sizes.append(measure(run, target, args.reuse_data))
    text = section(run)
    print("\n" + text)
    write_results(run)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    raw = DATA_DIR / f"results-{args.database}.json"
    raw.write_text(json.dumps([size.__dict__ for size in run.sizes], indent=2, default=str))
    print(f"written to bench/RESULTS.md (raw figures: bench/.data/{raw.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
