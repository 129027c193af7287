"""Whose data each type and field shows, declared on the schema and shown in the SDL as
`@cacheScope(scope: …)` (as Apollo's `@cacheControl` hints are), and the scope of a document.

A document's answer is as private as the most private thing it reads: PUBLIC answers are the
same for everyone, COMPANY answers for every user of one company with one role, VIEWER answers
for one user. A field without a scope of its own takes its type's; a type without one (a
connection, an edge, a payload) adds nothing. The response cache keys answers by this scope.
"""

from __future__ import annotations

from enum import Enum
from functools import lru_cache

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    parse,
    visit,
)
from strawberry.schema_directive import Location

from devhub_gql.documents import MAX_TOKENS

DEFINITION = "strawberry-definition"  # where Strawberry keeps its definitions on graphql-core's


@strawberry.enum(description="Whose data a type or field shows, from the most shared.")
class DataScope(Enum):
    PUBLIC = strawberry.enum_value("PUBLIC", description="The same for everyone, signed in or not.")
    COMPANY = strawberry.enum_value(
        "COMPANY", description="The same for every user of one company who has the same role."
    )
    VIEWER = strawberry.enum_value("VIEWER", description="Only for the signed-in user.")


_PRIVACY = {DataScope.PUBLIC: 0, DataScope.COMPANY: 1, DataScope.VIEWER: 2}


def more_private(first: DataScope, second: DataScope) -> DataScope:
    return first if _PRIVACY[first] >= _PRIVACY[second] else second


@strawberry.schema_directive(
    locations=[Location.OBJECT, Location.FIELD_DEFINITION],
    name="cacheScope",
    description="Whose data this type or field shows: an answer that reads it may be shared "
    "(and cached) only that widely.",
)
class CacheScope:
    scope: DataScope = strawberry.field(description="The widest it may be shared.")


PUBLIC = [CacheScope(scope=DataScope.PUBLIC)]
COMPANY = [CacheScope(scope=DataScope.COMPANY)]
VIEWER = [CacheScope(scope=DataScope.VIEWER)]


def _declared(definition: object) -> DataScope | None:
    for directive in getattr(definition, "directives", ()) or ():
        if isinstance(directive, CacheScope):
            return directive.scope
    return None


class DocumentScopes:
    """The scope of each document a schema answers (None: not cacheable), worked out once."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self.of = lru_cache(maxsize=1024)(self._scope_of)

    def _scope_of(self, query: str, operation_name: str | None) -> DataScope | None:
        try:
            document = parse(query, max_tokens=MAX_TOKENS)
        except GraphQLError:
            return None
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is not None:
            operations = [op for op in operations if op.name and op.name.value == operation_name]
        if len(operations) != 1 or operations[0].operation != OperationType.QUERY:
            return None
        return self._walk(document)

    def _walk(self, document: DocumentNode) -> DataScope | None:
        type_info = TypeInfo(self.schema)
        found = DataScope.PUBLIC
        unknown = False

        class Fields(Visitor):
            def enter_field(self, node: FieldNode, *_: object) -> None:
                nonlocal found, unknown
                parent = type_info.get_parent_type()
                field = type_info.get_field_def()
                if field is None or parent is None:
                    unknown = True  # invalid: the service will say why, uncached
                    return
                scope = _declared(field.extensions.get(DEFINITION))
                named = get_named_type(field.type)
                if scope is None and isinstance(named, GraphQLObjectType):
                    scope = _declared(named.extensions.get(DEFINITION))
                if scope is not None:
                    found = more_private(found, scope)

        visit(document, TypeInfoVisitor(type_info, Fields()))
        return None if unknown else found
