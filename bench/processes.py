"""The servers under test, each in its own process: started, awaited, measured, stopped.

The service runs exactly as deployed (`devhub-gql serve`), once as configured by default and once
with its response cache off (DEVHUB_RESPONSE_CACHE=false, so signed-in answers are executed); the
baselines and the Authlib peer run with the same uvicorn settings and worker count. All log to
bench/.data/logs so a crash under load leaves evidence.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.config import BENCH_DIR, DATA_DIR

READY_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int
    log_path: Path

    def cpu_seconds(self) -> float:
        return tree_cpu_seconds(self.process.pid)

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    return children


def _tree(root: int) -> list[int]:
    children = _children()
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


def tree_cpu_seconds(root: int) -> float:
    """CPU time of a process and its descendants (uvicorn's workers), from /proc."""
    return sum(_own_cpu(pid) for pid in _tree(root))


def _own_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(name: str, command: list[str], env: dict[str, str], port: int) -> Server:
    logs = DATA_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"{name}-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            cwd=BENCH_DIR.parent,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C reaches the benchmark, which stops it cleanly
        )
    return Server(name, process, port, log_path)


# The service's setting that turns its response cache off: the uncached rows measure execution.
RESPONSE_CACHE_OFF = {"DEVHUB_RESPONSE_CACHE": "false"}


def start_service(
    database_url: str, workers: int, *, name: str = "service", env: dict[str, str] | None = None
) -> Server:
    port = free_port()
    command = [str(Path(sys.executable).with_name("devhub-gql")), "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    env = {
        "DATABASE_URL": database_url,
        "DEVHUB_ENV": "development",
        # As in production: a JSON line per request (into the server's log file) and metrics.
        "DEVHUB_LOG_LEVEL": "INFO",
        "DEVHUB_PUBLIC_URL": f"http://127.0.0.1:{port}",
        # The token endpoint's budgets stay at their defaults: a client refreshing as fast as
        # this machine answers (under 1,000 a second) stays under the 120,000-a-minute ceiling.
        **(env or {}),
    }
    server = _start(name, command, env, port)
    wait_ready(server, "/.well-known/oauth-authorization-server")
    return server


def start_baselines(database_url: str, workers: int) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "bench.baselines", "--port", str(port)]
    command += ["--workers", str(workers)]
    server = _start("baselines", command, {"DATABASE_URL": database_url}, port)
    wait_ready(server, "/health")
    return server


def start_authlib(database_url: str, workers: int) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "bench.authlib_peer", "--port", str(port)]
    command += ["--workers", str(workers)]
    server = _start("authlib", command, {"DATABASE_URL": database_url}, port)
    wait_ready(server, "/health")
    return server


def wait_ready(server: Server, path: str) -> None:
    """Until `path` answers (with several workers, the port accepts once every one has started)."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited at start-up:\n{server.log_tail()}")
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
        try:
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"{server.name} did not answer within {READY_TIMEOUT:.0f}s")


def stop(server: Server) -> None:
    """SIGTERM (uvicorn shuts its workers down), then SIGKILL to the group if it hangs."""
    if server.process.poll() is not None:
        return
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()
