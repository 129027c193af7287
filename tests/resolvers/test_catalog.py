"""The scope and category catalogues."""

from __future__ import annotations

from tests.support import GraphQLClient

# Every scope name of the platform we model, in its documented order.
PLATFORM_SCOPES = [
    "base",
    "deals:read",
    "deals:full",
    "mail:read",
    "mail:full",
    "activities:read",
    "activities:full",
    "contacts:read",
    "contacts:full",
    "products:read",
    "products:full",
    "users:read",
    "recents:read",
    "search:read",
    "admin",
    "leads:read",
    "leads:full",
    "phone-integration",
    "goals:read",
    "goals:full",
    "video-calls",
    "messengers-integration",
    "projects:read",
    "projects:full",
    "webhooks:read",
    "webhooks:full",
]


async def test_scopes_lists_the_whole_catalogue_without_sign_in(gql: GraphQLClient):
    scopes = (await gql.data("{ scopes { name label description endpoints } }"))["scopes"]
    assert [scope["name"] for scope in scopes] == PLATFORM_SCOPES
    by_name = {scope["name"]: scope for scope in scopes}
    assert by_name["base"]["label"] == "Access to basic information"
    assert "/users/me" in by_name["base"]["endpoints"]
    assert by_name["deals:read"]["label"] == "Deals: Read only"
    assert all(scope["description"] and scope["endpoints"] for scope in scopes)


async def test_categories_lists_slugs_and_labels(gql: GraphQLClient):
    categories = (await gql.data("{ categories { slug label } }"))["categories"]
    assert {"slug": "productivity", "label": "Productivity"} in categories
    assert len({c["slug"] for c in categories}) == len(categories) >= 10
