"""Tooling can start from the committed contracts alone: both are complete, valid SDL."""

from __future__ import annotations

import pytest
from graphql import GraphQLObjectType, build_schema, validate_schema

from tests.contract.documents import SCHEMA_FILES, Target


@pytest.mark.parametrize("target", ["public", "backoffice"])
def test_committed_contract_builds_a_valid_schema(target: Target):
    schema = build_schema(SCHEMA_FILES[target].read_text(encoding="utf-8"))

    assert validate_schema(schema) == []
    assert isinstance(schema.query_type, GraphQLObjectType)
    assert isinstance(schema.mutation_type, GraphQLObjectType)
    # Custom scalars are named in the SDL; a client must map each one (the TypeScript client's
    # codegen config does, and fails on one it does not know).
    assert "DateTime" in schema.type_map
