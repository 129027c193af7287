"""GraphQL documents parsed once, and which operation a request runs, read before execution.

The request log, the metrics and the anonymous response cache need the operation; the schemas
execute from the same parse. Parsing is cached per document, but only for documents of a normal
size: a body may hold up to 1 MiB, and caching what anyone can send that large would let them
fill the memory.
"""

from __future__ import annotations

from functools import lru_cache

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, parse

MAX_TOKENS = 2000  # tokens per document, here and in the schema's limiter
LONGEST_CACHED_DOCUMENT = 8 * 1024


def operations(query: str) -> tuple[OperationDefinitionNode, ...] | None:
    """The operations a document defines, or None when it does not parse."""
    if not is_cached(query):
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


def parsed(query: str) -> DocumentNode:
    """The document, parsed once while it stays among the recently seen (raises GraphQLError on a
    syntax error or more than MAX_TOKENS tokens). The schema executes from this same parse."""
    if not is_cached(query):
        return _parse(query)
    return _cached_parse(query)


def is_cached(query: str) -> bool:
    """Whether what is worked out from this document may be kept beside it."""
    return len(query) <= LONGEST_CACHED_DOCUMENT


def _parse(query: str) -> DocumentNode:
    return parse(query, max_tokens=MAX_TOKENS)


_cached_parse = lru_cache(maxsize=1024)(_parse)


def _operations(query: str) -> tuple[OperationDefinitionNode, ...] | None:
    try:
        document = parsed(query)
    except GraphQLError:
        return None
    return tuple(d for d in document.definitions if isinstance(d, OperationDefinitionNode))


_cached_operations = lru_cache(maxsize=1024)(_operations)
