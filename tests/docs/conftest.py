"""The guide, run once per module against a real service and the real sample app."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.contract.markdown import FencedBlock
from tests.docs.walkthrough import Shell, ShellFailed, shell_blocks
from tests.processes import ROOT, free_port, wait_until

GUIDE = ROOT / "docs" / "api-guide.md"
CLEAN_UP = "Clean up"
# What the guide's steps run besides the project's virtualenv (its prerequisites say so).
TOOLS = ("bash", "curl", "jq")
# Settings of the environment that would change what the guide's commands do: the service's
# database and metrics directory, and where the sample app keeps its tokens.
LEAKY = ("DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR", "TOKEN_STORE")


@dataclass
class Walkthrough:
    shell: Shell
    outputs: list[tuple[FencedBlock, str]]
    devhub_port: int
    sample_port: int

    def section(self, prefix: str) -> list[str]:
        """What each shell block of a section printed, in order."""
        found = [output for block, output in self.outputs if block.section.startswith(prefix)]
        assert found, f"no shell block ran under a heading starting {prefix!r}"
        return found

    def json(self, prefix: str, index: int = 0) -> Any:
        return json.loads(self.section(prefix)[index])

    def value(self, name: str) -> str:
        return self.shell.value(name)

    @property
    def work(self) -> Path:
        return Path(self.value("WORK"))


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _logs(scratch: Path) -> str:
    parts = []
    for log in sorted(scratch.glob("*/*.log")):
        lines = log.read_text(errors="replace").splitlines()[-25:]
        parts.append(f"--- {log.name} ---\n" + "\n".join(lines))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def walkthrough(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walkthrough]:
    """Every shell block of the guide but the clean-up, in one bash session, from a checkout.

    The checkout stands for the repository's root: its .venv is the running interpreter's
    virtualenv and its examples/ the real ones. The guide's own scratch directory (mktemp -d)
    lands in this test's temporary directory; the ports are free ones, passed the way a reader
    would override them. Without bash, curl or jq the guide cannot be followed: every test that
    runs it is skipped, saying which are missing.
    """
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(
            f"{', '.join(missing)} not found: the API guide's shell steps need them"
            " (`make test-tools` installs them where it can)"
        )
    root = tmp_path_factory.mktemp("guide")
    checkout, scratch = root / "checkout", root / "tmp"
    checkout.mkdir()
    scratch.mkdir()
    venv = Path(sys.prefix)
    assert (venv / "bin" / "devhub-gql").exists(), "run the tests from the project's virtualenv"
    (checkout / ".venv").symlink_to(venv)
    (checkout / "examples").symlink_to(ROOT / "examples")
    devhub_port, sample_port, smtp_port = free_port(), free_port(), free_port()
    while len({devhub_port, sample_port, smtp_port}) < 3:
        sample_port, smtp_port = free_port(), free_port()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("DEVHUB") and name not in LEAKY
    }
    env |= {
        "TMPDIR": str(scratch),
        "DEVHUB_PORT": str(devhub_port),
        "SAMPLE_PORT": str(sample_port),
        "SMTP_PORT": str(smtp_port),
        "DEVHUB_OUTBOX_POLL_SECONDS": "0.1",  # the guide waits for the notice; no need to idle
    }
    shell = Shell(cwd=checkout, env=env, scripts=root / "steps")
    blocks = shell_blocks(GUIDE.read_text())
    story = [block for block in blocks if not block.section.endswith(CLEAN_UP)]
    clean_up = [block for block in blocks if block.section.endswith(CLEAN_UP)]
    assert story and clean_up, "the guide has steps and ends by cleaning up"
    outputs = []
    try:
        for block in story:
            outputs.append((block, shell.run(block.text, what=f"section {block.section!r}")))
        yield Walkthrough(shell, outputs, devhub_port, sample_port)
        for block in clean_up:
            shell.run(block.text, what=f"section {block.section!r}")
        wait_until(lambda: not _listening(devhub_port), 15, "the service to stop")
        wait_until(lambda: not _listening(sample_port), 15, "the sample app to stop")
    except ShellFailed as failure:
        raise ShellFailed(f"{failure}\n{_logs(scratch)}") from None
    finally:
        shell.close()
        try:  # anything the guide started and did not stop: the session's own process group
            os.killpg(shell.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
