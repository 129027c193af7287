"""The results table, the targets with PASS/MISS, and bench/RESULTS.md.

RESULTS.md keeps one section per database (SQLite, PostgreSQL), each holding every size of the
run that wrote it: a new run replaces its database's section and keeps the others, so `make
bench` (SQLite, then PostgreSQL) leaves both side by side.
"""

from __future__ import annotations

import math
import os
import platform
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.config import RESULTS_FILE
from bench.scenarios import BASELINE_A, BASELINE_B, BASELINE_C, OPERATIONS

CACHED = "marketplace, anonymous (cached)"
SIGNED_IN = "marketplace, signed in"
REFRESH = "oauth refresh grant"
SIZE_GROWTH_LIMIT = 1.3
TAIL_LIMIT = 3.0
TAIL_CONCURRENCY = 16
NAGLE_SUSPECT_MS = 20.0
NAGLE_NOTE = (
    "**Unloaded latency of {ms:.0f} ms for a cached answer: TCP_NODELAY is off.** uvicorn with"
    " several workers binds the listening socket itself with `proto=0`, and asyncio only sets"
    " TCP_NODELAY on accepted sockets whose proto is IPPROTO_TCP; each answer, written as head"
    " then body, then waits for the client's delayed ACK (about 40 ms). It affects the service"
    " (`devhub-gql serve --workers N`) and the baselines alike, and it caps every row at"
    " connections / 40 ms. Upstream: uvicorn issue #3149."
)
SHORT = {BASELINE_A: "A", BASELINE_B: "B", BASELINE_C: "C"}


@dataclass
class SizeResult:
    size: str
    rows: list[dict[str, Any]] = field(default_factory=list)  # one per operation x concurrency
    statements: dict[str, dict[str, float]] = field(default_factory=dict)
    seed_seconds: float | None = None  # None: an earlier seeding was reused
    reused_seed_seconds: float | None = None  # how long that earlier seeding took
    measure_seconds: float = 0.0
    checked: list[str] = field(default_factory=list)
    # Median ms of sequential requests on one connection: cached marketplace / baseline A.
    sequential_ms: dict[str, float] = field(default_factory=dict)

    def row(self, operation: str, concurrency: int) -> dict[str, Any] | None:
        for row in self.rows:
            if row["operation"] == operation and row["concurrency"] == concurrency:
                return row
        return None


@dataclass
class Run:
    database: str
    database_version: str
    workers: int
    duration: float
    concurrencies: list[int]
    command: str
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    sizes: list[SizeResult] = field(default_factory=list)


# Figures --------------------------------------------------------------------------------------
def _number(value: float, digits: int = 1) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def steady_statements(counts: dict[str, float]) -> dict[str, float]:
    """The per-request counts, without the cache misses."""
    return {label: n for label, n in counts.items() if not label.startswith("miss")}


def statements_cell(run: Run, size: SizeResult, operation: str) -> str:
    spec = next(op for op in OPERATIONS if op.name == operation)
    if spec.statements is not None:
        return spec.statements
    counts = size.statements.get(operation, {})
    steady = counts.get("first=50", counts.get("per request"))
    cell = _number(steady, 0) if steady is not None else "?"
    if "miss first=50" in counts:
        cell += f" (miss: {counts['miss first=50']:.0f})"
    return cell


def ratio(size: SizeResult, operation: str, baseline: str, concurrency: int) -> float | None:
    row, base = size.row(operation, concurrency), size.row(baseline, concurrency)
    if not row or not base or not base["rps"]:
        return None
    return row["rps"] / base["rps"]


def table(run: Run, size: SizeResult) -> list[str]:
    lines = [
        "| operation | conc | req/s | p50 ms | p99 ms | errors | SQL/req | vs baseline "
        "| server CPU ms/req | client CPU |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for operation in OPERATIONS:
        for concurrency in run.concurrencies:
            row = size.row(operation.name, concurrency)
            if row is None:
                continue
            versus = ""
            if operation.baseline:
                value = ratio(size, operation.name, operation.baseline, concurrency)
                versus = f"{_number(value, 2)}x {SHORT[operation.baseline]}" if value else "n/a"
            cpu_per_request = (
                row["server_cpu"] * row["seconds"] / row["requests"] * 1000
                if row["requests"]
                else float("nan")
            )
            lines.append(
                f"| {operation.name} | {concurrency} | {_number(row['rps'], 0)} "
                f"| {_number(row['p50_ms'], 2)} | {_number(row['p99_ms'], 2)} | {row['errors']} "
                f"| {statements_cell(run, size, operation.name)} | {versus} "
                f"| {_number(cpu_per_request, 2)} | {row['client_cpu']:.0%} |"
            )
    return lines


def open_loop_table(size: SizeResult) -> list[str]:
    """The tail below saturation: 16 connections sending at half the closed-loop capacity."""
    rows = [row for row in size.rows if row.get("open_rate")]
    if not rows:
        return []
    lines = [
        "Open loop at half capacity (16 connections, latency counted from when a request was due):",
        "",
        "| operation | rate req/s | p50 ms | p99 ms | p99 / p50 |",
        "|---|--:|--:|--:|--:|",
    ]
    for row in rows:
        spread = row["open_p99_ms"] / row["open_p50_ms"] if row["open_p50_ms"] else float("nan")
        lines.append(
            f"| {row['operation']} | {_number(row['open_rate'], 0)} "
            f"| {_number(row['open_p50_ms'], 2)} | {_number(row['open_p99_ms'], 2)} "
            f"| {_number(spread, 2)} |"
        )
    return lines


def statements_table(size: SizeResult) -> list[str]:
    lines = ["| operation | SQL statements per request |", "|---|---|"]
    for operation, counts in size.statements.items():
        cells = ", ".join(f"{label}: {n:g}" for label, n in counts.items())
        lines.append(f"| {operation} | {cells} |")
    return lines


# Targets --------------------------------------------------------------------------------------
def _ratio_target(run: Run, operation: str, baseline: str, goal: float) -> tuple[str, str]:
    found = []
    for size in run.sizes:
        for concurrency in run.concurrencies:
            value = ratio(size, operation, baseline, concurrency)
            if value is not None:
                found.append((value, f"{size.size} c={concurrency}: {value:.2f}x"))
    if not found:
        return "NOT MEASURED", ""
    verdict = "PASS" if min(v for v, _ in found) >= goal else "MISS"
    return verdict, "; ".join(text for _, text in found)


def _growth_target(run: Run) -> tuple[str, str]:
    by_name = {size.size: size for size in run.sizes}
    if not {"small", "large"} <= by_name.keys():
        return "NOT MEASURED", "needs --size both"
    worst = []
    for operation in (op.name for op in OPERATIONS if op.server == "service"):
        for concurrency in run.concurrencies:
            small = by_name["small"].row(operation, concurrency)
            large = by_name["large"].row(operation, concurrency)
            if small and large and small["p50_ms"]:
                growth = large["p50_ms"] / small["p50_ms"]
                worst.append((growth, f"{operation} c={concurrency}: {growth:.2f}x"))
    worst.sort(reverse=True)
    verdict = "PASS" if worst and worst[0][0] <= SIZE_GROWTH_LIMIT else "MISS"
    over = [text for growth, text in worst if growth > SIZE_GROWTH_LIMIT]
    return verdict, ("over: " + "; ".join(over)) if over else f"worst {worst[0][1]}"


def _tail_target(run: Run) -> tuple[str, str]:
    spread = []
    for size in run.sizes:
        for operation in (op.name for op in OPERATIONS if op.server == "service"):
            row = size.row(operation, TAIL_CONCURRENCY)
            if row and row.get("open_p50_ms"):
                value = row["open_p99_ms"] / row["open_p50_ms"]
                spread.append((value, f"{size.size} {operation}: {value:.2f}x"))
    if not spread:
        return "NOT MEASURED", f"needs concurrency {TAIL_CONCURRENCY}"
    spread.sort(reverse=True)
    over = [text for value, text in spread if value > TAIL_LIMIT]
    verdict = "MISS" if over else "PASS"
    return verdict, ("over: " + "; ".join(over)) if over else f"worst {spread[0][1]}"


def _statements_target(run: Run) -> tuple[str, str]:
    problems = []
    for operation in (op.name for op in OPERATIONS if op.server == "service"):
        seen = {
            f"{size.size} {label}": n
            for size in run.sizes
            for label, n in steady_statements(size.statements.get(operation, {})).items()
        }
        if len(set(seen.values())) > 1:
            problems.append(f"{operation}: " + ", ".join(f"{k}={v:g}" for k, v in seen.items()))
    sizes = " and ".join(size.size for size in run.sizes)
    return (
        ("MISS", "; ".join(problems))
        if problems
        else (
            "PASS",
            f"lists counted at first=1 and first=50, on {sizes}",
        )
    )


def targets(run: Run) -> list[tuple[str, str, str]]:
    tail = (
        f"p99 <= {TAIL_LIMIT:g}x p50 at concurrency {TAIL_CONCURRENCY}, open loop at half capacity"
    )
    growth = f"p50 at the large size <= {SIZE_GROWTH_LIMIT}x p50 at the small size"
    return [
        (
            "cached anonymous marketplace >= 1.0x baseline A",
            *_ratio_target(run, CACHED, BASELINE_A, 1.0),
        ),
        (
            "uncached signed-in marketplace >= 0.6x baseline B",
            *_ratio_target(run, SIGNED_IN, BASELINE_B, 0.6),
        ),
        ("refresh grant >= 0.4x baseline C", *_ratio_target(run, REFRESH, BASELINE_C, 0.4)),
        (growth, *_growth_target(run)),
        (tail, *_tail_target(run)),
        ("SQL statements per request constant whatever the page size", *_statements_target(run)),
    ]


# Markdown -------------------------------------------------------------------------------------
def machine() -> list[str]:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kb = int(line.split()[1])
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores (shared by the server, the database and the "
        "load generator)",
        f"- memory: {memory_kb / 1024 / 1024:.1f} GiB",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}",
    ]


def section(run: Run) -> str:
    title = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[run.database]
    lines = [
        f"## {title}",
        "",
        f"- date: {run.started:%Y-%m-%d %H:%M} UTC",
        f"- command: `{run.command}`",
        f"- database: {run.database_version}; service and baselines with {run.workers} uvicorn "
        f"worker(s); {run.duration:g} s per measurement after 1 s of warm-up",
        *machine(),
        "",
    ]
    for size in run.sizes:
        if size.seed_seconds is not None:
            seeded = f"seeded in {size.seed_seconds:.0f} s"
        else:
            earlier = size.reused_seed_seconds
            seeded = "reused an earlier seeding" + (f" ({earlier:.0f} s)" if earlier else "")
        lines += [f"### {size.size}: {seeded}, measured in {size.measure_seconds:.0f} s", ""]
        if size.sequential_ms:
            service, baselines = size.sequential_ms["service"], size.sequential_ms["baselines"]
            lines += [
                f"Unloaded (one connection, sequential, median): cached marketplace {service:.2f}"
                f" ms, baseline A {baselines:.2f} ms.",
                "",
            ]
            if service > NAGLE_SUSPECT_MS:
                lines += [NAGLE_NOTE.format(ms=service), ""]
        lines += [*table(run, size), "", *statements_table(size), ""]
        if open_loop := open_loop_table(size):
            lines += [*open_loop, ""]
    lines += ["### Targets", "", "| target | result | detail |", "|---|---|---|"]
    lines += [f"| {name} | **{verdict}** | {detail} |" for name, verdict, detail in targets(run)]
    return "\n".join(lines) + "\n"


HEADER = """# Benchmark results

Written by `python -m bench.run` (see bench/README.md for what each row means). One section per
database; a run replaces its own database's section. Closed-loop load: every connection sends its
next request when the previous answer arrives, so each row is measured at saturation and p99
includes queueing behind the other connections.
"""


def write_results(run: Run, path: Path = RESULTS_FILE) -> None:
    sections = {}
    if path.exists():
        text = path.read_text()
        for match in re.finditer(r"<!-- bench:(\w+) -->\n(.*?)<!-- /bench:\1 -->", text, re.S):
            sections[match.group(1)] = match.group(2)
    sections[run.database] = section(run)
    body = [HEADER]
    # Other marked sections (the hand-written analysis) are kept as they are, after the runs.
    names = [
        "sqlite",
        "postgres",
        *(name for name in sections if name not in ("sqlite", "postgres")),
    ]
    for name in names:
        if name in sections:
            marker = f"bench:{name}"
            body.append(f"<!-- {marker} -->\n{sections[name]}<!-- /{marker} -->\n")
    path.write_text("\n".join(body))
