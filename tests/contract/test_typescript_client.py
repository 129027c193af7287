"""A typed TypeScript client is generated from schema.graphql alone and type-checks.

`make codegen-check` installs the pinned tools from clients/typescript/package-lock.json, generates
src/generated/graphql.ts from ../../schema.graphql and operations/*.graphql, and runs tsc over it
and over src/spa.ts, which uses it as a single-page app would (and holds lines that must not
compile). Where npm is missing the tests are skipped with that reason.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse

from tests.contract.documents import ROOT

CLIENT = ROOT / "clients" / "typescript"
GENERATED = CLIENT / "src" / "generated" / "graphql.ts"


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def codegen_check() -> subprocess.CompletedProcess[str]:
    missing = [tool for tool in ("npm", "make") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not found: the TypeScript client is not checked")
    return run(["make", "--no-print-directory", "codegen-check"], ROOT)


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
    assert codegen_check.returncode == 0, "needs the installed client (previous test)"
    copy = tmp_path / "clients" / "typescript"
    shutil.copytree(CLIENT, copy, ignore=shutil.ignore_patterns("node_modules", "generated"))
    (copy / "node_modules").symlink_to(CLIENT / "node_modules", target_is_directory=True)
    schema = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert "  isReviewer: Boolean!\n" in schema
    (tmp_path / "schema.graphql").write_text(schema.replace("  isReviewer: Boolean!\n", ""))

    result = run(["npm", "run", "--silent", "check"], copy)

    assert result.returncode != 0
    assert 'Cannot query field "isReviewer" on type "User"' in result.stdout + result.stderr
    assert not (copy / "src" / "generated" / "graphql.ts").exists()
