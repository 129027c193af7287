"""The listing is declared once (devhub_gql/domain/listing.py): the GraphQL types and inputs carry
exactly its fields, updateApp stores every one of them, and its rules come from the declaration."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLInputObjectType, GraphQLObjectType
from strawberry.utils.str_converters import to_camel_case

from backoffice.schema import create_backoffice_schema
from devhub_gql.domain.listing import LISTING, Kind, ListingField
from schema.build import create_schema
from tests.support import GraphQLClient, create_app, sign_up

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = create_schema()._schema
BACKOFFICE = create_backoffice_schema()._schema


def names(type_: Any) -> set[str]:
    assert isinstance(type_, GraphQLObjectType | GraphQLInputObjectType)
    return set(type_.fields)


@pytest.mark.parametrize("field", LISTING, ids=[field.name for field in LISTING])
def test_every_declared_field_is_in_every_type_that_shows_or_takes_the_listing(
    field: ListingField,
):
    name = to_camel_case(field.name)
    for schema in (PUBLIC, BACKOFFICE):
        assert name in names(schema.type_map["App"])
        assert name in names(schema.type_map["AppSnapshot"])
    assert name in names(PUBLIC.type_map["UpdateAppInput"])
    assert (name in names(PUBLIC.type_map["MarketplaceApp"])) == field.public


def test_the_types_carry_no_listing_field_the_declaration_lacks():
    declared = {to_camel_case(field.name) for field in LISTING}
    own = {
        "App": {
            "id",
            "type",
            "status",
            "clientId",
            "createdAt",
            "updatedAt",
            "pendingRevision",
            "currentSubmission",
            "latestRejection",
            "reviewHistory",
            "signingSecret",
            "scopes",
            "company",
            "extensions",
            "extensionSigningSecret",
        },
        "AppSnapshot": {"type", "scopes", "scopeDetails", "extensions"},
        "UpdateAppInput": {"id", "scopes"},
    }
    for type_name, extra in own.items():
        assert names(PUBLIC.type_map[type_name]) == declared | extra, type_name


VALUES = {
    Kind.TEXT: "Some words",
    Kind.URL: "https://example.com/page",
    Kind.YOUTUBE_URL: "https://www.youtube.com/watch?v=aqz-KE-bpKQ",
    Kind.URL_LIST: ["https://example.com/1.png"],
    Kind.EMAIL: "someone@example.com",
    Kind.FLAG: True,
    Kind.CATEGORY: "productivity",
}


async def test_update_app_stores_every_declared_field(gql: GraphQLClient):
    developer = await sign_up(gql, "dev@example.com")
    app_id = (await create_app(gql, developer))["app"]["id"]
    given = {to_camel_case(field.name): VALUES[field.kind] for field in LISTING}
    selection = " ".join("category { slug }" if name == "category" else name for name in given)
    data = await gql.data(
        f"mutation U($i: UpdateAppInput!) {{ updateApp(input: $i) {{ app {{ {selection} }}"
        " userErrors { field code } } }",
        {"i": {"id": app_id, **given}},
        token=developer.token,
    )
    assert data["updateApp"]["userErrors"] == []
    stored = data["updateApp"]["app"]
    assert stored.pop("category") == {"slug": "productivity"}
    assert stored == {name: value for name, value in given.items() if name != "category"}


def test_adding_a_listing_field_touches_the_declaration_and_the_model_only():
    """The simple check the redesign promised: a plain listing field's name appears in the
    declaration and the model, and in no other file of the service."""
    plain = [field for field in LISTING if field.name in ("privacy_policy_url", "pricing_url")]
    for field in plain:
        found = subprocess.run(
            ["git", "grep", "-lw", field.name, "--", "*.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        service = [
            path
            for path in found
            if not path.startswith(("tests/", "bench/")) and "/migrations/" not in path
        ]
        assert sorted(service) == [
            "devhub_gql/domain/listing.py",
            "devhub_gql/models/apps.py",
        ], field.name
