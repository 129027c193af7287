"""Execution with a short path for plain fields: an attribute read and shown as a scalar.

graphql-core resolves every field the same way: it builds a `GraphQLResolveInfo` (fourteen
values), calls the resolver, checks the answer for an awaitable twice and completes it through
its general `complete_value`. For a field Strawberry resolves by reading the attribute of the
same name (no resolver, no field extension: Strawberry's "basic" field, whose resolver never
looks at the info) that returns a scalar or an enum, all of it comes down to `getattr` and the
type's `coerce_output_value`. Lists of 50 apps are mostly such fields, so that is most of a
page's execution.

Anything else takes graphql-core's own path: fields with a resolver or arguments, objects and
lists, and any plain field whose value the short path does not accept as it stands (a null where
the type forbids one, a value the scalar refuses, an attribute that raises when read):
graphql-core then resolves it again and reports the error at that field, exactly as it would
have. Reading an attribute twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    is_leaf_type,
)
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField


class PlainField:
    """How to show one plain field: read the attribute, coerce it as `leaf`."""

    __slots__ = ("leaf", "nullable", "read")

    def __init__(self, read: Callable[[Any], Any], leaf: GraphQLLeafType, nullable: bool) -> None:
        self.read = read
        self.leaf = leaf
        self.nullable = nullable


# Type name -> field name -> its PlainField, or None for a field graphql-core resolves itself.
Plans = dict[str, dict[str, PlainField | None]]
_PLANS: WeakKeyDictionary[GraphQLSchema, Plans] = WeakKeyDictionary()


def _plan(parent_type: GraphQLObjectType, name: str) -> PlainField | None:
    field = parent_type.fields.get(name)
    if field is None or field.args or not getattr(field.resolve, "_is_default", False):
        return None  # not a Strawberry basic field (its resolver would want the info)
    nullable = not isinstance(field.type, GraphQLNonNull)
    leaf = field.type if nullable else field.type.of_type
    if not is_leaf_type(leaf):
        return None
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    read: Callable[[Any], Any] = field.resolve
    if isinstance(definition, StrawberryField) and definition.default_resolver is getattr:
        read = attrgetter(definition.python_name)  # what Strawberry's resolver comes down to
    return PlainField(read, leaf, nullable)


class PlainFieldsExecutor(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A schema extension with a `resolve` hook sees every field: then none takes the short
        # path.
        manager = self.middleware_manager
        self.short_path = manager is None or not manager.middlewares
        self.plans = _PLANS.setdefault(self.schema, {})

    def plain_field(self, parent_type: GraphQLObjectType, name: str) -> PlainField | None:
        by_name = self.plans.get(parent_type.name)
        if by_name is None:
            by_name = self.plans[parent_type.name] = {}
        try:
            return by_name[name]
        except KeyError:
            found = by_name[name] = _plan(parent_type, name)
            return found

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        details = field_details_list[0]
        if self.short_path and not details.node.arguments:
            plain = self.plain_field(parent_type, details.node.name.value)
            if plain is not None:
                try:
                    value = plain.read(source)
                    shown = None if value is None else plain.leaf.coerce_output_value(value)
                except Exception:  # graphql-core reports it where it belongs: see below
                    value = shown = Undefined
                if value is None and plain.nullable:
                    return None
                if shown is not None and shown is not Undefined:
                    return shown
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
