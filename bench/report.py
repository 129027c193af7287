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
from bench.scenarios import BY_NAME, OPERATIONS, SHORT, Operation

SIZE_GROWTH_LIMIT = 1.3
TAIL_LIMIT = 3.0
OPEN_LOOP_CONCURRENCY = 16
OPEN_LOOP_LOAD = 0.5  # fraction of the closed-loop capacity
# A cached row passes only if (nearly) all its answers came from the cache: each worker's first
# request of the document is a miss.
MIN_HIT_SHARE = 0.95
NAGLE_SUSPECT_MS = 20.0
NAGLE_NOTE = (
    "**Unloaded latency of {ms:.0f} ms for a cached answer: TCP_NODELAY is off.** asyncio only"
    " sets TCP_NODELAY on sockets accepted from a listening socket made with proto=IPPROTO_TCP"
    " (uvicorn's own multi-worker socket is made with `proto=0`, uvicorn issue #3149); each"
    " answer, written as head then body, then waits for the client's delayed ACK (about 40 ms),"
    " which caps every row at connections / 40 ms. The service's protocol"
    " (`devhub_gql/http_protocol.py`) sets it on every connection: look there first."
)


@dataclass
class SizeResult:
    size: str
    rows: list[dict[str, Any]] = field(default_factory=list)  # one per operation x concurrency
    statements: dict[str, dict[str, float]] = field(default_factory=dict)
    seed_seconds: float | None = None  # None: an earlier seeding was reused
    reused_seed_seconds: float | None = None  # how long that earlier seeding took
    measure_seconds: float = 0.0
    checked: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # found by the checks, not fatal
    # Per operation: open loop at OPEN_LOOP_CONCURRENCY connections and half the capacity.
    open_loop: dict[str, dict[str, Any]] = field(default_factory=dict)
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
    peer: str = ""  # the Authlib peer's libraries and versions
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    sizes: list[SizeResult] = field(default_factory=list)


# Figures --------------------------------------------------------------------------------------
def _number(value: float, digits: int = 1) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def steady_statements(counts: dict[str, float]) -> dict[str, float]:
    """The per-request counts, without the cache misses."""
    return {label: n for label, n in counts.items() if not label.startswith("miss")}


def statements_cell(run: Run, size: SizeResult, operation: str) -> str:
    spec = BY_NAME[operation]
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


def versus_cell(size: SizeResult, operation: Operation, concurrency: int) -> str:
    cells = []
    for versus in operation.versus:
        value = ratio(size, operation.name, versus.baseline, concurrency)
        cells.append(f"{_number(value, 2)}x {SHORT[versus.baseline]}" if value else "n/a")
    return "; ".join(cells)


def hit_share(row: dict[str, Any]) -> float:
    return row["header_hits"] / row["requests"] if row["requests"] else 0.0


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
            versus = versus_cell(size, operation, concurrency)
            if operation.count_header:
                versus += f" ({hit_share(row):.0%} hits)"
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
    """The tail below saturation: 16 connections sending at half the closed-loop capacity, and
    an empty answer from the baselines' server at the same rate and connections."""
    if not size.open_loop:
        return []
    lines = [
        f"Open loop at {OPEN_LOOP_LOAD:.0%} of capacity ({OPEN_LOOP_CONCURRENCY} connections,"
        " latency counted from when a request left, or from when it was due if the previous"
        " answer on its connection held it back). The floor is an empty answer (GET"
        " /health on the baselines' server, the same uvicorn settings) at the same rate, right"
        " after: the tail that the load generator, uvicorn and this host make by themselves.",
        "",
        "| operation | rate req/s | p50 ms | p99 ms | p99 / p50 | errors "
        "| floor p50 ms | floor p99 ms | floor p99 / p50 |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, row in size.open_loop.items():
        lines.append(
            f"| {name} | {_number(row['rate'], 0)} "
            f"| {_number(row['p50_ms'], 2)} | {_number(row['p99_ms'], 2)} "
            f"| {_number(spread(row), 2)} | {row['errors']} "
            f"| {_number(row['floor_p50_ms'], 2)} | {_number(row['floor_p99_ms'], 2)} "
            f"| {_number(floor_spread(row), 2)} |"
        )
    return lines


def spread(open_loop: dict[str, Any]) -> float:
    p50 = open_loop["p50_ms"]
    return open_loop["p99_ms"] / p50 if p50 and not math.isnan(p50) else float("nan")


def floor_spread(open_loop: dict[str, Any]) -> float:
    return spread({"p50_ms": open_loop["floor_p50_ms"], "p99_ms": open_loop["floor_p99_ms"]})


def statements_table(size: SizeResult) -> list[str]:
    lines = ["| operation | SQL statements per request |", "|---|---|"]
    for operation, counts in size.statements.items():
        cells = ", ".join(f"{label}: {n:g}" for label, n in counts.items())
        lines.append(f"| {operation} | {cells} |")
    return lines


# Targets --------------------------------------------------------------------------------------
def _ratio_target(run: Run, operation: Operation, baseline: str, goal: float) -> tuple[str, str]:
    found = []
    for size in run.sizes:
        for concurrency in run.concurrencies:
            value = ratio(size, operation.name, baseline, concurrency)
            row = size.row(operation.name, concurrency)
            if value is None or row is None:
                found.append((False, f"{size.size} c={concurrency}: not measured"))
                continue
            text = f"{size.size} c={concurrency}: {value:.2f}x"
            met = value >= goal
            if operation.count_header:
                share = hit_share(row)
                text += f" ({share:.0%} hits)"
                met = met and share >= MIN_HIT_SHARE
            found.append((met, text))
    if not found:
        return "NOT MEASURED", ""
    verdict = "PASS" if all(met for met, _ in found) else "MISS"
    return verdict, "; ".join(text for _, text in found)


def _errors_target(run: Run) -> tuple[str, str]:
    failed = []
    for size in run.sizes:
        for row in size.rows:
            if row["errors"]:
                failed.append(
                    f"{size.size} {row['operation']} c={row['concurrency']}: {row['errors']}"
                )
        for name, row in size.open_loop.items():
            if row["errors"]:
                failed.append(f"{size.size} {name} open loop: {row['errors']}")
            if row["floor_errors"]:
                failed.append(f"{size.size} empty answer beside {name}: {row['floor_errors']}")
    if failed:
        return "MISS", "; ".join(failed)
    rows = sum(len(size.rows) + 2 * len(size.open_loop) for size in run.sizes)
    return "PASS", f"{rows} measurements, every server"


def _service_operations() -> list[str]:
    return [op.name for op in OPERATIONS if op.of_service]


def _growth_target(run: Run) -> tuple[str, str]:
    by_name = {size.size: size for size in run.sizes}
    if not {"small", "large"} <= by_name.keys():
        return "NOT MEASURED", "needs --size both"
    worst, missing = [], []
    for operation in _service_operations():
        for concurrency in run.concurrencies:
            small = by_name["small"].row(operation, concurrency)
            large = by_name["large"].row(operation, concurrency)
            if small and large and small["p50_ms"] and not math.isnan(large["p50_ms"]):
                growth = large["p50_ms"] / small["p50_ms"]
                worst.append((growth, f"{operation} c={concurrency}: {growth:.2f}x"))
            else:
                missing.append(f"{operation} c={concurrency}")
    worst.sort(reverse=True)
    over = [text for growth, text in worst if growth > SIZE_GROWTH_LIMIT]
    verdict = "PASS" if worst and not over and not missing else "MISS"
    details = []
    if over:
        details.append("over: " + "; ".join(over))
    if missing:
        details.append("not measured: " + "; ".join(missing))
    if not details and worst:
        details.append(f"worst {worst[0][1]}")
    return verdict, "; ".join(details)


def _tail_target(run: Run) -> tuple[str, str]:
    spreads, missing = [], []
    for size in run.sizes:
        for operation in _service_operations():
            row = size.open_loop.get(operation)
            value = spread(row) if row else float("nan")
            if math.isnan(value):
                missing.append(f"{size.size} {operation}")
            else:
                floor = floor_spread(row) if row else float("nan")
                text = f"{size.size} {operation}: {value:.2f}x (floor {floor:.2f}x)"
                spreads.append((value, text))
    spreads.sort(reverse=True)
    over = [text for value, text in spreads if value > TAIL_LIMIT]
    verdict = "PASS" if spreads and not over and not missing else "MISS"
    details = []
    if over:
        details.append("over: " + "; ".join(over))
    if missing:
        details.append("not measured: " + "; ".join(missing))
    if not details and spreads:
        details.append(f"worst {spreads[0][1]}")
    return verdict, "; ".join(details)


def _statements_target(run: Run) -> tuple[str, str]:
    problems = []
    for operation in _service_operations():
        seen = {
            f"{size.size} {label}": n
            for size in run.sizes
            for label, n in steady_statements(size.statements.get(operation, {})).items()
        }
        if len(set(seen.values())) > 1:
            problems.append(f"{operation}: " + ", ".join(f"{k}={v:g}" for k, v in seen.items()))
    sizes = " and ".join(size.size for size in run.sizes)
    if problems:
        return "MISS", "; ".join(problems)
    return "PASS", f"lists counted at first=1 and first=50, on {sizes}"


def targets(run: Run) -> list[tuple[str, str, str]]:
    found = []
    for operation in OPERATIONS:
        for versus in operation.versus:
            name = f"{operation.name} >= {versus.goal:.1f}x {versus.baseline}"
            if operation.count_header:
                name += f", with >= {MIN_HIT_SHARE:.0%} cache hits"
            found.append((name, *_ratio_target(run, operation, versus.baseline, versus.goal)))
    tail = (
        f"p99 <= {TAIL_LIMIT:g}x p50 for every operation of the service, open loop at"
        f" {OPEN_LOOP_CONCURRENCY} connections and {OPEN_LOOP_LOAD:.0%} of capacity"
    )
    growth = f"p50 at the large size <= {SIZE_GROWTH_LIMIT}x p50 at the small size, per operation"
    return [
        *found,
        ("0 errors in every row (closed and open loop, every server)", *_errors_target(run)),
        (tail, *_tail_target(run)),
        (growth, *_growth_target(run)),
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
        f"- database: {run.database_version}; the service (twice: as configured, and with"
        f" DEVHUB_RESPONSE_CACHE=false for the uncached rows), the baselines and the Authlib peer"
        f" with {run.workers} uvicorn worker(s) each; {run.duration:g} s per measurement after 1 s"
        " of warm-up",
        f"- peer: {run.peer}",
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
        lines += [f"Note: {note}" for note in size.notes]
        if size.notes:
            lines.append("")
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
