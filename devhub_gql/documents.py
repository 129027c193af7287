"""Which operation a GraphQL request runs, read from its document before execution.

The request log, the metrics and the anonymous response cache all need it. Parsing is cached per
(document, operation name), but only for documents of a normal size: a body may hold up to 1 MiB,
and caching what anyone can send that large would let them fill the memory.
"""

from __future__ import annotations

from functools import lru_cache

from graphql import GraphQLError, OperationDefinitionNode, parse

MAX_TOKENS = 2000  # tokens per document, here and in the schema's limiter
LONGEST_CACHED_DOCUMENT = 8 * 1024


def operations(query: str) -> tuple[OperationDefinitionNode, ...] | None:
    """The operations a document defines, or None when it does not parse."""
    if len(query) > LONGEST_CACHED_DOCUMENT:
        return _operations(query)
    return _cached_operations(query)


def operation_of(query: str, operation_name: str | None) -> OperationDefinitionNode | None:
    """The operation a request selects, or None when the document does not parse or select one
    (several operations and no name select none: GraphQL §6.1)."""
    defined = operations(query) or ()
    if operation_name is not None:
        defined = tuple(op for op in defined if op.name and op.name.value == operation_name)
    return defined[0] if len(defined) == 1 else None


def operation_count(query: str) -> int:
    return len(operations(query) or ())


def _operations(query: str) -> tuple[OperationDefinitionNode, ...] | None:
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return None
    return tuple(d for d in document.definitions if isinstance(d, OperationDefinitionNode))


_cached_operations = lru_cache(maxsize=1024)(_operations)
