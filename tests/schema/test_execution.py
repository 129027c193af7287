"""The short path for plain fields answers exactly what graphql-core's own path answers.

The service's executor (schema/execution.py) reads plain scalar and enum fields itself instead of
going through graphql-core's general field machinery. These tests run the same documents on a
schema with it and on one with Strawberry's stock executor, including the documents whose plain
fields go wrong (a null where the type forbids one, a value the scalar refuses), and check that
the short path is in fact the one taken.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

import pytest
import strawberry
from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from schema.build import create_schema
from schema.execution import PlainFieldsExecutor


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Thing:
    name: str
    nick: str | None
    count: int
    colour: Colour
    made_at: datetime
    ratio: float | None
    # What a corrupt row would hold: the type forbids both.
    broken_count: int
    missing: str

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


def _things() -> list[Thing]:
    return [
        Thing(
            name=f"thing {index}",
            nick=None if index % 2 else f"t{index}",
            count=index,
            colour=Colour.RED if index % 2 else Colour.BLUE,
            made_at=datetime(2026, 1, index + 1, tzinfo=UTC),
            ratio=None if index == 1 else index / 3,
            broken_count="many",  # type: ignore[arg-type]  # the refused value, on purpose
            missing=None,  # type: ignore[arg-type]  # the forbidden null, on purpose
        )
        for index in range(3)
    ]


class Unreadable:
    """An object whose `name` raises when read, as a broken property would."""

    nick = None

    @property
    def name(self) -> str:
        raise ValueError("no name here")


@strawberry.type
class Query:
    @strawberry.field
    def unreadable(self) -> Thing | None:
        return Unreadable()  # type: ignore[return-value]  # the broken source, on purpose

    @strawberry.field
    def things(self) -> list[Thing]:
        return _things()

    @strawberry.field
    def maybe_things(self) -> list[Thing | None]:
        return list(_things())

    @strawberry.field
    def first(self) -> Thing | None:
        return _things()[0]


DOCUMENTS = [
    "{ things { name nick count colour madeAt ratio shout __typename } }",
    "{ a: things { n: name c: count, again: name } first { name nick } }",
    "query { things { ...Parts } } fragment Parts on Thing { name count colour }",
    "query($yes: Boolean!) { things { name @include(if: $yes) count @skip(if: $yes) } }",
    "{ first { name brokenCount } }",
    "{ maybeThings { name missing } }",
    "{ first { missing } things { name } }",
    "{ things { name brokenCount } }",
    "{ unreadable { nick name } }",
]


class CountingExecutor(PlainFieldsExecutor):
    """Counts the fields that went graphql-core's way (each builds a resolve info)."""

    infos = 0

    def build_resolve_info(self, *args: Any, **kwargs: Any) -> GraphQLResolveInfo:
        CountingExecutor.infos += 1
        return super().build_resolve_info(*args, **kwargs)


def _answer(schema: strawberry.Schema, document: str) -> tuple[Any, list[tuple[str, Any]]]:
    result = schema.execute_sync(document, variable_values={"yes": True})
    return result.data, [(error.message, error.path) for error in result.errors or []]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_short_path_answers_as_graphql_core_does(document):
    stock = strawberry.Schema(query=Query)
    short = strawberry.Schema(query=Query, execution_context_class=PlainFieldsExecutor)
    assert _answer(short, document) == _answer(stock, document)


def test_the_failing_documents_fail_as_they_should():
    """The comparison above is worth something only if these really are error cases."""
    schema = strawberry.Schema(query=Query, execution_context_class=PlainFieldsExecutor)
    data, errors = _answer(schema, "{ first { name brokenCount } }")
    assert data == {"first": None}
    assert errors and errors[0][1] == ["first", "brokenCount"]
    data, errors = _answer(schema, "{ maybeThings { name missing } }")
    assert data == {"maybeThings": [None, None, None]}
    assert [path for _, path in errors] == [["maybeThings", index, "missing"] for index in range(3)]
    data, errors = _answer(schema, "{ unreadable { nick name } }")
    assert data == {"unreadable": None}
    assert errors == [("no name here", ["unreadable", "name"])]


def test_plain_fields_skip_graphql_cores_field_machinery():
    schema = strawberry.Schema(query=Query, execution_context_class=CountingExecutor)
    CountingExecutor.infos = 0
    data, errors = _answer(schema, "{ things { name nick count colour madeAt ratio shout } }")
    assert not errors and len(data["things"]) == 3
    # `things` itself and each `shout` (a resolver); none of the six plain fields of each thing.
    assert CountingExecutor.infos == 1 + 3


def test_a_resolve_hook_still_sees_every_field():
    seen: list[str] = []

    class Watch(SchemaExtension):
        def resolve(self, _next, root, info, *args, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(info.field_name)
            return _next(root, info, *args, **kwargs)

    schema = strawberry.Schema(
        query=Query, extensions=[Watch], execution_context_class=PlainFieldsExecutor
    )
    data, errors = _answer(schema, "{ first { name count } }")
    assert not errors and data == {"first": {"name": "thing 0", "count": 0}}
    assert seen == ["first", "name", "count"]


def test_the_service_schemas_execute_with_the_short_path():
    assert create_schema().execution_context_class is PlainFieldsExecutor
