"""A typed TypeScript client is generated from schema.graphql alone and type-checks.

`make codegen-check` installs the pinned tools from clients/typescript/package-lock.json (only when
node_modules is missing or older than it), generates src/generated/graphql.ts from
../../schema.graphql and operations/*.graphql, and runs tsc over it and over src/spa.ts, which
uses it as a single-page app would (and holds lines that must not compile). Where npm is missing,
or cannot reach its registry to install the tools, the tests are skipped with that reason; any
other failure, of the install, the generation or the type check, fails them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, build_schema, parse, print_schema

from tests.contract.documents import ROOT

CLIENT = ROOT / "clients" / "typescript"
GENERATED = CLIENT / "src" / "generated" / "graphql.ts"
# What `npm ci` writes last: the Makefile's target for installing the tools.
INSTALLED = CLIENT / "node_modules" / ".package-lock.json"
# npm's codes for a registry it could not reach (offline, no name resolution, a firewall), as
# opposed to an answer it got and could not use.
UNREACHABLE = re.compile(
    r"\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH"
    r"|ERR_SOCKET_TIMEOUT)\b"
)


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def codegen_check() -> subprocess.CompletedProcess[str]:
    missing = [tool for tool in ("npm", "make") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not found: the TypeScript client is not checked")
    install_tools()
    return run(["make", "--no-print-directory", "codegen-check"], ROOT)


def install_tools() -> None:
    """The install step of `make codegen-check` on its own, to tell being offline from a failure."""
    try:
        install = run(["make", "--no-print-directory", str(INSTALLED.relative_to(ROOT))], ROOT)
    except subprocess.TimeoutExpired as timeout:
        pytest.skip(f"npm did not install the client's tools in {timeout.timeout:.0f} s: offline?")
    if install.returncode == 0:
        return
    output = install.stdout + install.stderr
    unreachable = [line.strip() for line in output.splitlines() if UNREACHABLE.search(line)]
    if unreachable:
        reason = max(unreachable, key=len)  # npm's own sentence, rather than its bare code
        pytest.skip(f"npm could not reach its registry to install the client's tools: {reason}")
    pytest.fail(f"installing the client's tools failed:\n{output}")


def test_the_client_generates_from_the_committed_schema_and_type_checks(codegen_check):
    assert codegen_check.returncode == 0, codegen_check.stdout + codegen_check.stderr

    generated = GENERATED.read_text(encoding="utf-8")
    operations = [
        definition.name.value
        for path in sorted((CLIENT / "operations").glob("*.graphql"))
        for definition in parse(path.read_text(encoding="utf-8")).definitions
        if isinstance(definition, OperationDefinitionNode) and definition.name
    ]
    assert len(operations) >= 8
    for name in operations:
        assert f"export const {name}Document = " in generated, name


def test_a_schema_change_that_breaks_an_operation_fails_the_check(codegen_check, tmp_path):
    # The shared codegen_check fixture installed the tools this copy links to; if its check
    # failed, the first test says why.
    assert codegen_check.returncode == 0, "needs the client that the codegen_check fixture checks"
    copy = tmp_path / "clients" / "typescript"
    shutil.copytree(CLIENT, copy, ignore=shutil.ignore_patterns("node_modules", "generated"))
    (copy / "node_modules").symlink_to(CLIENT / "node_modules", target_is_directory=True)
    # Drop the field with its description (a description left behind would not parse).
    schema = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
    del schema.type_map["User"].fields["isReviewer"]
    (tmp_path / "schema.graphql").write_text(print_schema(schema) + "\n")

    result = run(["npm", "run", "--silent", "check"], copy)

    assert result.returncode != 0
    assert 'Cannot query field "isReviewer" on type "User"' in result.stdout + result.stderr
    assert not (copy / "src" / "generated" / "graphql.ts").exists()
