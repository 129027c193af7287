"""The schema explains itself: every type, field, argument, input field and enum value of both
schemas has a description, so GraphiQL, the SDL files and generated clients document the API.

Only what GraphQL itself defines is exempt: the built-in scalars and the introspection types.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum

import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    specified_scalar_types,
)

from backoffice.schema import create_backoffice_schema
from schema.build import create_schema
from schema.enums import described_enum

BUILT_IN = frozenset(specified_scalar_types)  # String, Int, Float, Boolean, ID


def _described(description: str | None) -> bool:
    return bool(description and description.strip())


def undescribed(schema: GraphQLSchema) -> Iterator[str]:
    """The coordinate of every item without a description: `Type`, `Type.field`,
    `Type.field(argument:)`, `Input.field`, `Enum.VALUE`."""
    for name, type_ in sorted(schema.type_map.items()):
        if name.startswith("__") or name in BUILT_IN:
            continue
        if not _described(type_.description):
            yield name
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in type_.fields.items():
                if not _described(field.description):
                    yield f"{name}.{field_name}"
                for arg_name, arg in field.args.items():
                    if not _described(arg.description):
                        yield f"{name}.{field_name}({arg_name}:)"
        elif isinstance(type_, GraphQLInputObjectType):
            for field_name, field in type_.fields.items():
                if not _described(field.description):
                    yield f"{name}.{field_name}"
        elif isinstance(type_, GraphQLEnumType):
            for value_name, value in type_.values.items():
                if not _described(value.description):
                    yield f"{name}.{value_name}"


SCHEMAS = {
    "public (schema.graphql)": create_schema,
    "back-office (backoffice/schema.graphql)": create_backoffice_schema,
}


@pytest.mark.parametrize("make_schema", SCHEMAS.values(), ids=SCHEMAS.keys())
def test_every_item_of_the_schema_has_a_description(make_schema):
    missing = list(undescribed(make_schema()._schema))

    assert not missing, f"{len(missing)} items lack a description:\n  " + "\n  ".join(missing)


def test_the_walk_finds_every_kind_of_item():
    status = GraphQLEnumType("AppStatus", {"DRAFT": GraphQLEnumValue("DRAFT")})
    echo_input = GraphQLInputObjectType("EchoInput", {"text": GraphQLInputField(GraphQLString)})
    query = GraphQLObjectType(
        "Query",
        {
            "app": GraphQLField(status, args={"id": GraphQLArgument(GraphQLString)}),
            "echo": GraphQLField(
                GraphQLString,
                args={"input": GraphQLArgument(echo_input, description="Said back.")},
                description="Says it back.",
            ),
        },
        description="The root.",
    )

    assert set(undescribed(GraphQLSchema(query=query))) == {
        "AppStatus",
        "AppStatus.DRAFT",
        "EchoInput",
        "EchoInput.text",
        "Query.app",
        "Query.app(id:)",
    }


def test_an_enum_value_without_a_description_is_refused_at_import():
    class Colour(StrEnum):
        RED = "RED"
        GREEN = "GREEN"

    with pytest.raises(TypeError, match="missing: GREEN"):
        described_enum(Colour, description="A colour.", values={Colour.RED: "Stop."})
    with pytest.raises(TypeError, match="missing: RED"):
        described_enum(
            Colour, description="A colour.", values={Colour.RED: " ", Colour.GREEN: "Go."}
        )

    described_enum(
        Colour, description="A colour.", values={Colour.RED: "Stop.", Colour.GREEN: "Go."}
    )
    values = {v.name: v.description for v in Colour.__strawberry_definition__.values}
    assert values == {"RED": "Stop.", "GREEN": "Go."}
