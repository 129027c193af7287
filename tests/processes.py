"""Running the real service as a subprocess, for the tests that need a process of their own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll for something another process brings about; no sleeping to wait for a clock."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def service_env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEVHUB_ENV": "development",
        "DEVHUB_PORT": str(free_port()),
        "DEVHUB_ALLOW_PRIVATE_CALLBACKS": "true",
        "DEVHUB_LOG_LEVEL": "WARNING",
        **extra,
    }


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devhub_gql.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def start_server(env: dict[str, str], *args: str, log: Path | None = None) -> subprocess.Popen:
    """`devhub-gql serve`, answering; its log (stderr) goes to `log` when given."""
    sink = log.open("wb") if log else subprocess.DEVNULL
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "devhub_gql.cli", "serve", *args],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    finally:
        if log:
            sink.close()
    url = f"http://127.0.0.1:{env['DEVHUB_PORT']}"

    def answering() -> bool:
        if process.poll() is not None:
            detail = f"; its log: {log.read_text()[-2000:]}" if log else ""
            raise AssertionError(f"the server exited with {process.returncode}{detail}")
        try:
            return httpx.get(f"{url}/.well-known/oauth-authorization-server", timeout=1).is_success
        except httpx.TransportError:
            return False

    try:
        wait_until(answering, 30, "the server to start")
    except BaseException:
        process.kill()
        process.wait()
        raise
    return process
