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

from bench.config import SIZES, Target
from bench.scenarios import BY_NAME
from bench.statements import in_process_client, send


async def profile(target: Target, operation_name: str, count: int, top: int) -> str:
    request = BY_NAME[operation_name].requests[0]
    async with in_process_client(target.url) as client:
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
    out.write("(in-process, under the profiler)\n")
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("operation", choices=sorted(BY_NAME))
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
