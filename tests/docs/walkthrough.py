"""Reading docs/api-guide.md as a reader does: its code blocks in order, pasted into one bash."""

from __future__ import annotations

import queue
import re
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.contract.markdown import FencedBlock, fenced_blocks

SHELLS = ("sh", "bash")
# A GraphQL document in a shell block: an upper-case variable holding a single-quoted string.
SHELL_DOCUMENT = re.compile(r"^[A-Z_]+='\n(?P<document>[^']*)'", re.M)


def shell_blocks(markdown: str) -> list[FencedBlock]:
    return [block for block in fenced_blocks(markdown) if block.language in SHELLS]


def graphql_blocks(markdown: str) -> list[FencedBlock]:
    return [block for block in fenced_blocks(markdown) if block.language == "graphql"]


def documents_in_shell(markdown: str) -> list[str]:
    return [
        match["document"]
        for block in shell_blocks(markdown)
        for match in SHELL_DOCUMENT.finditer(block.text)
    ]


class ShellFailed(AssertionError):
    pass


@dataclass
class Shell:
    """One bash process that sources each block, as if it were pasted at the prompt.

    Blocks run with `set -euo pipefail`, so the first failing command ends the session and the
    step that failed is reported with what it printed.
    """

    cwd: Path
    env: dict[str, str]
    scripts: Path
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.scripts.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group: the service and the sample app too
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        self.count = 0
        self.run("set -euo pipefail")

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.errors.append(line)

    def run(self, script: str, *, seconds: float = 30, what: str = "") -> str:
        """Source a script in the session; its standard output."""
        self.count += 1
        path = self.scripts / f"step-{self.count:02}.sh"
        path.write_text(script)
        marker = f"--- step done {uuid.uuid4().hex} ---"
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(f"source '{path}' < /dev/null\nprintf '%s\\n' '{marker}'\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            raise ShellFailed(f"the shell had already exited before {what or script!r}") from None
        output: list[str] = []
        deadline = time.monotonic() + seconds
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                problem = f"timed out after {seconds} s"
                raise ShellFailed(self._report(problem, what, output)) from None
            if line is None:
                raise ShellFailed(self._report("the shell exited", what, output))
            if line.rstrip("\n") == marker:
                return "".join(output)
            output.append(line)

    def value(self, name: str) -> str:
        return self.run(f'printf "%s\\n" "${name}"', what=f"reading ${name}").removesuffix("\n")

    def _report(self, problem: str, what: str, output: list[str]) -> str:
        return (
            f"{problem} in {what or 'a step'}\n--- its output ---\n{''.join(output)}"
            f"--- the shell's errors ---\n{''.join(self.errors[-30:])}"
        )

    def close(self) -> None:
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
