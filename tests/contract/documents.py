"""The GraphQL documents the project shows or ships, found where the convention puts them.

- Markdown (README.md, docs/**/*.md, examples/**/*.md): fenced blocks whose info string is
  `graphql`.
- examples/**/*.graphql and the TypeScript client's operations: one document per file.

A document is for the public schema unless its first line is the comment `# backoffice`, then it
is for backoffice/schema.graphql. A document of type definitions only is an SDL excerpt: each type,
field, argument, enum value and union member it shows must be in that schema as shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from graphql import (
    DocumentNode,
    EnumTypeDefinitionNode,
    ExecutableDefinitionNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    InputObjectTypeDefinitionNode,
    InterfaceTypeDefinitionNode,
    Node,
    ObjectTypeDefinitionNode,
    OperationDefinitionNode,
    ScalarTypeDefinitionNode,
    Source,
    UnionTypeDefinitionNode,
    parse,
    print_ast,
    validate,
)

from tests.contract.markdown import fenced_blocks

Target = Literal["public", "backoffice"]
BACKOFFICE_MARKER = "# backoffice"

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILES: dict[Target, Path] = {
    "public": ROOT / "schema.graphql",
    "backoffice": ROOT / "backoffice" / "schema.graphql",
}


@dataclass(frozen=True)
class Document:
    path: Path
    line: int  # line in `path` where `source` starts (1-based)
    source: str
    target: Target

    @property
    def where(self) -> str:
        return str(self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path)


@dataclass(frozen=True)
class Checked:
    document: Document
    kind: Literal["operations", "sdl"]
    operations: int  # operations the document defines (0 for SDL excerpts)
    problems: tuple[str, ...]  # each "path:line:column: message", with the file's own line


def target_of(source: str) -> Target:
    first = source.lstrip("\n").split("\n", 1)[0].strip()
    return "backoffice" if first == BACKOFFICE_MARKER else "public"


def markdown_documents(path: Path) -> Iterator[Document]:
    """Every ```graphql block of a Markdown file, with the line its content starts on."""
    for block in fenced_blocks(path.read_text(encoding="utf-8")):
        if block.language == "graphql":
            yield Document(path, block.line, block.text, target_of(block.text))


def file_document(path: Path) -> Document:
    source = path.read_text(encoding="utf-8")
    return Document(path, 1, source, target_of(source))


def project_documents(root: Path = ROOT) -> list[Document]:
    """What the README, docs/ and examples/ show and what the TypeScript client sends."""
    markdown = [root / "README.md"]
    markdown += sorted((root / "docs").rglob("*.md"))
    markdown += sorted((root / "examples").rglob("*.md"))
    files = sorted((root / "examples").rglob("*.graphql"))
    files += sorted((root / "clients" / "typescript" / "operations").rglob("*.graphql"))
    found = [doc for path in markdown if path.is_file() for doc in markdown_documents(path)]
    return found + [file_document(path) for path in files]


def check(document: Document, schemas: dict[Target, GraphQLSchema]) -> Checked:
    schema = schemas[document.target]
    try:
        ast = parse(Source(document.source, document.where))
    except GraphQLError as error:
        return Checked(document, "operations", 0, (_located(document, error),))
    executable = [d for d in ast.definitions if isinstance(d, ExecutableDefinitionNode)]
    if executable and len(executable) < len(ast.definitions):
        problem = f"{_at(document, 1, 1)}: mixes operations with type definitions; split them"
        return Checked(document, "operations", 0, (problem,))
    if not executable:
        return Checked(document, "sdl", 0, tuple(_sdl_problems(document, ast, schema)))
    errors = validate(schema, ast)
    operations = sum(1 for d in executable if isinstance(d, OperationDefinitionNode))
    return Checked(document, "operations", operations, tuple(_located(document, e) for e in errors))


def _at(document: Document, line: int, column: int) -> str:
    return f"{document.where}:{document.line + line - 1}:{column}"


def _located(document: Document, error: GraphQLError) -> str:
    location = error.locations[0] if error.locations else None
    line, column = (location.line, location.column) if location else (1, 1)
    return f"{_at(document, line, column)}: {error.message} ({document.target} schema)"


# An SDL excerpt shows part of a type as the schema has it: what it shows must be there.
def _sdl_problems(document: Document, ast: DocumentNode, schema: GraphQLSchema) -> Iterator[str]:
    kinds: dict[type, type[GraphQLNamedType]] = {
        ObjectTypeDefinitionNode: GraphQLObjectType,
        InterfaceTypeDefinitionNode: GraphQLInterfaceType,
        InputObjectTypeDefinitionNode: GraphQLInputObjectType,
        EnumTypeDefinitionNode: GraphQLEnumType,
        ScalarTypeDefinitionNode: GraphQLScalarType,
        UnionTypeDefinitionNode: GraphQLUnionType,
    }
    for definition in ast.definitions:
        expected_kind = kinds.get(type(definition))
        if expected_kind is None:
            yield f"{_node_at(document, definition)}: {definition.kind} cannot be checked"
            continue
        name = definition.name.value  # type: ignore[attr-defined]
        actual = schema.get_type(name)
        if not isinstance(actual, expected_kind):
            kind = expected_kind.__name__.removeprefix("GraphQL").removesuffix("Type")
            yield f"{_node_at(document, definition)}: the schema has no {kind.lower()} type {name}"
            continue
        for node, problem in _differences(definition, actual):
            yield f"{_node_at(document, node)}: {name}{problem}"


def _node_at(document: Document, node: Node) -> str:
    assert node.loc is not None
    return _at(document, node.loc.start_token.line, node.loc.start_token.column)


def _differences(definition: Node, actual: GraphQLNamedType) -> Iterator[tuple[Node, str]]:
    if isinstance(actual, GraphQLEnumType):
        for value in getattr(definition, "values", None) or ():
            if value.name.value not in actual.values:
                yield value, f" has no value {value.name.value}"
    elif isinstance(actual, GraphQLUnionType):
        members = {member.name for member in actual.types}
        for member in getattr(definition, "types", None) or ():
            if member.name.value not in members:
                yield member, f" has no member {member.name.value}"
    elif isinstance(actual, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
        for field in getattr(definition, "fields", None) or ():
            name, shown = field.name.value, print_ast(field.type)
            real = actual.fields.get(name)
            if real is None:
                yield field, f" has no field {name}"
                continue
            if str(real.type) != shown:
                yield field, f".{name} is {real.type}, not {shown}"
            real_args = getattr(real, "args", {})
            for argument in getattr(field, "arguments", None) or ():
                arg_name, arg_shown = argument.name.value, print_ast(argument.type)
                arg = real_args.get(arg_name)
                if arg is None:
                    yield argument, f".{name} has no argument {arg_name}"
                elif str(arg.type) != arg_shown:
                    yield argument, f".{name}({arg_name}:) is {arg.type}, not {arg_shown}"
