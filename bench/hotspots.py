"""Where one operation's time goes: cProfile around N in-process requests.

Runs the service's ASGI app in this process (no socket, no load generator) against an already
seeded benchmark database, so the profile holds only the service's own work. cProfile sees the
event loop's thread only: oauthlib's worker-thread part of the OAuth endpoints shows up as time
waiting on the thread.

    python -m bench.hotspots "marketplace, signed in" --size small --database sqlite -n 200
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import time
from collections import defaultdict

from bench.config import SIZES, Target
from bench.scenarios import BY_NAME
from bench.statements import SERVER_ENV, in_process_client, send

# The service's operations, each on an app configured as its server is (the uncached rows with
# the response cache off).
PROFILED = sorted(name for name, operation in BY_NAME.items() if operation.of_service)


async def profile(target: Target, operation_name: str, count: int, top: int) -> str:
    operation = BY_NAME[operation_name]
    request = operation.requests[0]
    async with in_process_client(target.url, SERVER_ENV[operation.server]) as client:
        for _ in range(5):
            await send(client, request)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(count):
            await send(client, request)
        profiler.disable()
        elapsed = time.perf_counter() - started
    out = io.StringIO()
    out.write(f"{operation_name}: {count} requests, {elapsed / count * 1000:.2f} ms each ")
    out.write("(in-process, under the profiler)\n\nOwn time by package:\n")
    stats = pstats.Stats(profiler, stream=out)
    for package, seconds in by_package(stats):
        out.write(f"  {package:24} {seconds / count * 1000:7.2f} ms/request\n")
    stats.strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def _package(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    for mark in ("/devhub_gql/", "/schema/", "/resolvers/", "/backoffice/", "/bench/"):
        if mark in filename:
            return mark.strip("/")
    if filename.startswith("~") or filename == "<built-in>":
        return "builtins (C)"
    return "stdlib: " + filename.rsplit("/", 1)[-1].removesuffix(".py")


def by_package(stats: pstats.Stats, top: int = 14) -> list[tuple[str, float]]:
    """Own (not cumulative) time summed per package: what each library costs."""
    totals: dict[str, float] = defaultdict(float)
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        totals[_package(filename)] += own
    return sorted(totals.items(), key=lambda item: item[1], reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("operation", choices=PROFILED)
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("-n", type=int, default=200, help="requests profiled")
    parser.add_argument("--top", type=int, default=25, help="functions listed")
    args = parser.parse_args()
    target = Target(args.database, SIZES[args.size])
    if not target.marker.exists():
        parser.error(f"seed first: python -m bench.seed --size {args.size} --database ...")
    print(asyncio.run(profile(target, args.operation, args.n, args.top)))


if __name__ == "__main__":
    main()
