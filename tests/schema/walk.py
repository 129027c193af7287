"""Walks both schemas' root fields for arguments of a scalar type, and builds a request that
puts a chosen value there (every other required argument gets a valid placeholder)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
    get_named_type,
    is_leaf_type,
)

PLACEHOLDERS = {
    "ID": "QXBwOjIxNDc0ODM2NDc=",
    "String": "x",
    "Int": 1,
    "Boolean": False,
    "JSON": {"version": 1},
    "Date": "2026-01-01",
}


@dataclass(frozen=True)
class Probe:
    """One argument (or input field) of one root field, and a document that reaches it."""

    operation: str  # query or mutation
    field: str
    document: str
    variables: dict[str, Any]
    path: tuple[str | int, ...]  # where the probed value goes in `variables`

    def with_value(self, value: Any) -> dict[str, Any]:
        variables = _deep_copy(self.variables)
        _place(variables, self.path, value)
        return variables

    @property
    def input_field(self) -> str:
        """The name a mutation's userErrors use: the field of `input`, or the argument."""
        return str(self.path[1] if self.path[0] == "input" and len(self.path) > 1 else self.path[0])


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _deep_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_deep_copy(item) for item in value]
    return value


def _type_string(type_: GraphQLInputType) -> str:
    if isinstance(type_, GraphQLNonNull):
        return f"{_type_string(type_.of_type)}!"
    if isinstance(type_, GraphQLList):
        return f"[{_type_string(type_.of_type)}]"
    return type_.name


def _required(type_: GraphQLInputType, default: Any) -> bool:
    return isinstance(type_, GraphQLNonNull) and default is Undefined


def sample(type_: GraphQLInputType) -> Any:
    """A valid value for a type: the required fields of inputs, placeholders for scalars."""
    if isinstance(type_, GraphQLNonNull):
        return sample(type_.of_type)
    if isinstance(type_, GraphQLList):
        return [sample(type_.of_type)]
    if isinstance(type_, GraphQLInputObjectType):
        return {
            name: sample(field.type)
            for name, field in type_.fields.items()
            if _required(field.type, field.default_value)
        }
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    assert isinstance(type_, GraphQLScalarType)
    return PLACEHOLDERS[type_.name]


def _paths(
    type_: GraphQLInputType, scalar: str, prefix: tuple[str | int, ...]
) -> Iterator[tuple[str | int, ...]]:
    """Paths to every value of `scalar` type: through input fields and into list items."""
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLList):
        yield from _paths(inner.of_type, scalar, (*prefix, 0))
        return
    if isinstance(inner, GraphQLScalarType) and inner.name == scalar:
        yield prefix
    elif isinstance(inner, GraphQLInputObjectType):
        for name, field in inner.fields.items():
            yield from _paths(field.type, scalar, (*prefix, name))


def probes(schema: GraphQLSchema, scalar: str) -> Iterator[Probe]:
    roots: list[tuple[str, GraphQLObjectType | None]] = [
        ("query", schema.query_type),
        ("mutation", schema.mutation_type),
    ]
    for operation, root in roots:
        if root is not None:
            for name, field in root.fields.items():
                yield from _field_probes(operation, name, field, scalar)


def _field_probes(operation: str, name: str, field: GraphQLField, scalar: str) -> Iterator[Probe]:
    selection = "" if is_leaf_type(get_named_type(field.type)) else " { __typename }"
    if operation == "mutation":
        selection = " { __typename userErrors { field code } }"
    base = {
        arg: sample(a.type) for arg, a in field.args.items() if _required(a.type, a.default_value)
    }
    for arg, argument in field.args.items():
        for path in _paths(argument.type, scalar, (arg,)):
            variables = _deep_copy(base)
            _place(variables, path, PLACEHOLDERS[scalar])
            used = [name for name in field.args if name in variables]
            declared = ", ".join(f"${a}: {_type_string(field.args[a].type)}" for a in used)
            passed = ", ".join(f"{a}: ${a}" for a in used)
            document = f"{operation} Probe({declared}) {{ {name}({passed}){selection} }}"
            yield Probe(operation, name, document, variables, path)


def _place(variables: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    target: Any = variables
    for index, key in enumerate(path[:-1]):
        following = path[index + 1]
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(target, list):
            while len(target) <= key:  # type: ignore[operator]
                target.append(empty)
            target = target[key]  # type: ignore[index]
        else:
            if key not in target or not isinstance(target[key], type(empty)):
                target[key] = empty
            target = target[key]
    last = path[-1]
    if isinstance(target, list):
        while len(target) <= last:  # type: ignore[operator]
            target.append(value)
        target[last] = value  # type: ignore[index]
    else:
        target[last] = value
