"""Each type and root field of the public schema says whose data it shows (`@cacheScope` in the
SDL), and a document's scope is the most private thing it reads."""

from __future__ import annotations

from graphql import GraphQLObjectType

from schema.build import create_schema
from schema.scopes import DEFINITION, CacheScope, DataScope, DocumentScopes

SCHEMA = create_schema()._schema
SCOPES = DocumentScopes(SCHEMA)
# Types that only carry what they wrap (lists, pages) or only answer mutations.
CARRIERS = ("Connection", "Edge", "PageInfo", "Payload", "Session", "UserError")


def declared(definition: object) -> list[CacheScope]:
    return [d for d in getattr(definition, "directives", ()) if isinstance(d, CacheScope)]


def test_every_type_and_root_field_declares_whose_data_it_shows():
    for name, type_ in SCHEMA.type_map.items():
        if not isinstance(type_, GraphQLObjectType) or name.startswith("__"):
            continue
        # Root types: a subscription's events, like a mutation's answer, are never cached.
        if name in ("Query", "Mutation", "Subscription") or name.endswith(CARRIERS):
            continue
        assert declared(type_.extensions[DEFINITION]), name
    for name, field in SCHEMA.query_type.fields.items():
        assert declared(field.extensions[DEFINITION]), f"Query.{name}"
    printed = create_schema().as_str()
    assert "directive @cacheScope(scope: DataScope!) on OBJECT | FIELD_DEFINITION" in printed
    assert "type MarketplaceApp implements Node @cacheScope(scope: PUBLIC)" in printed


def test_a_document_is_as_private_as_the_most_private_thing_it_reads():
    cases = {
        "{ marketplaceApps { edges { node { name scopes { name } category { slug } } } } }": (
            DataScope.PUBLIC
        ),
        "{ categories { slug } marketplaceApps { edges { cursor } } }": DataScope.PUBLIC,
        "{ apps { edges { node { name scopes { name } } } } }": DataScope.COMPANY,
        "{ marketplaceApps { edges { cursor } } apps { edges { cursor } } }": DataScope.COMPANY,
        "{ viewer { company { name } } }": DataScope.VIEWER,
        "query { installations { nodes { app { name } } } categories { slug } }": (
            DataScope.VIEWER
        ),
        "fragment F on App { name } query { apps { nodes { ...F } } }": DataScope.COMPANY,
    }
    for document, expected in cases.items():
        assert SCOPES.of(document, None) == expected, document


def test_mutations_invalid_and_ambiguous_documents_are_never_cached():
    for document, operation in (
        ("mutation { signOut { signedOut } }", None),
        ("{ noSuchField }", None),
        ("{ apps {", None),
        ("query A { categories { slug } } query B { scopes { name } }", None),
        ("query A { categories { slug } }", "B"),
    ):
        assert SCOPES.of(document, operation) is None, document
