"""Every operation the README, docs/, examples/ and the TypeScript client show is valid against
the committed schema it is written for (see documents.py for where they are found)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_schema

from tests.contract.documents import (
    SCHEMA_FILES,
    Target,
    check,
    markdown_documents,
    project_documents,
)

# The README's GraphiQL session and the TypeScript client's operations, today. A collector that
# silently stopped finding blocks would otherwise pass on nothing.
MINIMUM_OPERATIONS = {"README.md": 2, "clients/typescript/operations": 8}


@pytest.fixture(scope="module")
def schemas() -> dict[Target, GraphQLSchema]:
    return {target: build_schema(path.read_text()) for target, path in SCHEMA_FILES.items()}


def test_every_operation_in_the_project_validates_against_its_schema(schemas):
    checked = [check(document, schemas) for document in project_documents()]

    problems = [problem for result in checked for problem in result.problems]
    assert not problems, "documents that do not match the committed schemas:\n" + "\n".join(
        problems
    )
    found: Counter[str] = Counter()
    for result in checked:
        where = result.document.where
        source = next((key for key in MINIMUM_OPERATIONS if where.startswith(key)), where)
        found[source] += result.operations
    for source, minimum in MINIMUM_OPERATIONS.items():
        assert found[source] >= minimum, f"only {found[source]} operations found in {source}"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_bad_operation_is_reported_with_its_file_and_line(tmp_path, schemas):
    guide = write(
        tmp_path / "docs" / "guide.md",
        "# Guide\n\nSome text.\n\n```graphql\nquery {\n  viewer {\n    nickname\n  }\n}\n```\n",
    )

    [document] = markdown_documents(guide)
    result = check(document, schemas)

    [problem] = result.problems
    assert problem.startswith(f"{guide}:8:5: Cannot query field 'nickname' on type 'User'.")
    assert problem.endswith("(public schema)")


def test_blocks_marked_backoffice_are_checked_against_the_backoffice_schema(tmp_path, schemas):
    queue = "{\n  reviewQueue(first: 5) { edges { node { id } } }\n}\n"
    guide = write(
        tmp_path / "guide.md",
        f"```graphql\n# backoffice\n{queue}```\n\n```graphql\n{queue}```\n",
    )

    marked, unmarked = (check(d, schemas) for d in markdown_documents(guide))

    assert marked.document.target == "backoffice" and marked.problems == ()
    assert marked.operations == 1
    assert unmarked.document.target == "public"
    [problem] = unmarked.problems
    assert problem.startswith(f"{guide}:10:3: Cannot query field 'reviewQueue' on type 'Query'.")


def test_only_graphql_fences_count_and_nested_fences_stay_inside_their_block(tmp_path):
    guide = write(
        tmp_path / "guide.md",
        "````markdown\n```graphql\n{ notAnOperation }\n```\n````\n\n"
        "```sh\nmake run\n```\n\n"
        "- a list item:\n\n  ```GraphQL\n  { viewer { id } }\n  ```\n",
    )

    [document] = markdown_documents(guide)

    assert (document.line, document.source) == (14, "{ viewer { id } }\n")


def test_examples_and_docs_are_collected_with_their_targets(tmp_path):
    write(tmp_path / "README.md", "```graphql\n{ viewer { id } }\n```\n")
    write(tmp_path / "docs" / "deep" / "reviews.md", "```graphql\n# backoffice\n{ x }\n```\n")
    write(tmp_path / "examples" / "review.graphql", "# backoffice\nquery Q { reviewQueue }\n")
    write(tmp_path / "examples" / "apps.graphql", "query Apps { apps { nodes { id } } }\n")
    write(tmp_path / "examples" / "notes.txt", "{ ignored }\n")

    found = project_documents(tmp_path)

    assert [(d.path.relative_to(tmp_path).as_posix(), d.target) for d in found] == [
        ("README.md", "public"),
        ("docs/deep/reviews.md", "backoffice"),
        ("examples/apps.graphql", "public"),
        ("examples/review.graphql", "backoffice"),
    ]


def test_sdl_excerpts_are_checked_field_by_field(tmp_path, schemas):
    guide = write(
        tmp_path / "guide.md",
        "```graphql\n"
        "type Scope {\n  name: String!\n  label: String!\n}\n"
        "enum AppStatus {\n  DRAFT\n  LIVE\n}\n"
        "```\n\n"
        "```graphql\n"
        "type App {\n  name: String\n  colour: String!\n}\n"
        "enum AppStatus {\n  ARCHIVED\n}\n"
        "type Query {\n  marketplaceApps(first: Int!): MarketplaceAppConnection!\n}\n"
        "type Widget {\n  id: ID!\n}\n"
        "```\n\n"
        "```graphql\n"
        "type Widget {\n  id: ID!\n}\n"
        "query { viewer { id } }\n"
        "```\n",
    )

    good, bad, mixed = (check(d, schemas) for d in markdown_documents(guide))

    assert good.kind == "sdl" and good.problems == () and good.operations == 0
    assert bad.problems == (
        f"{guide}:14:3: App.name is String!, not String",
        f"{guide}:15:3: App has no field colour",
        f"{guide}:18:3: AppStatus has no value ARCHIVED",
        f"{guide}:21:19: Query.marketplaceApps(first:) is Int, not Int!",
        f"{guide}:23:1: the schema has no object type Widget",
    )
    assert mixed.problems == (f"{guide}:29:1: mixes operations with type definitions; split them",)


def test_a_block_that_does_not_parse_is_reported(tmp_path, schemas):
    guide = write(tmp_path / "guide.md", "```graphql\n{ viewer { id }\n```\n")

    [document] = markdown_documents(guide)

    [problem] = check(document, schemas).problems
    assert problem.startswith(f"{guide}:3:1: Syntax Error: ")
