"""Which operation a GraphQL request runs, read from its document before execution.

The request log, the metrics and the anonymous response cache all need it. Parsing is cached per
(document, operation name), but only for documents of a normal size: a body may hold up to 1 MiB,
and caching what anyone can send that large would let them fill the memory.
"""

from __future__ import annotations

from functools import lru_cache

from graphql import GraphQLError, OperationDefinitionNode, parse

MAX_TOKENS = 2000  # as the schema's own limit
LONGEST_CACHED_DOCUMENT = 8 * 1024


def operation_of(query: str, operation_name: str | None) -> OperationDefinitionNode | None:
    """The operation a request selects, or None when the document does not parse or select one."""
    if len(query) > LONGEST_CACHED_DOCUMENT:
        return _operation_of(query, operation_name)
    return _cached_operation_of(query, operation_name)


def _operation_of(query: str, operation_name: str | None) -> OperationDefinitionNode | None:
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [op for op in operations if op.name and op.name.value == operation_name]
    return operations[0] if len(operations) == 1 else None


_cached_operation_of = lru_cache(maxsize=1024)(_operation_of)
