"""Creating, reading, editing apps and rotating their client secrets, over HTTP."""

from __future__ import annotations

import pytest

from devhub_gql.models import App, AppScope
from tests.support import CREATE_APP, GraphQLClient, create_app, error_codes, sign_up

APP_FIELDS = """
  id name type status clientId callbackUrl summary iconUrl listingImageUrls description videoUrl
  setupInstructions websiteUrl termsOfServiceUrl privacyPolicyUrl pricingUrl supportUrl
  documentationUrl supportEmail contactEmail installationUrl useCase testAccountNotes
  partnerTermsAccepted category { slug label } scopes { name label } company { name }
"""

UPDATE_APP = f"""
mutation Update($input: UpdateAppInput!) {{
  updateApp(input: $input) {{ app {{ {APP_FIELDS} }} userErrors {{ field code message }} }}
}}
"""

GET_APP = f"query Get($id: ID!) {{ app(id: $id) {{ {APP_FIELDS} }} }}"

ROTATE = """
mutation Rotate($input: RotateClientSecretInput!) {
  rotateClientSecret(input: $input) { app { id } clientSecret userErrors { field code message } }
}
"""

LIST_APPS = """
query List($first: Int, $after: String, $type: AppType, $status: AppStatus) {
  apps(first: $first, after: $after, type: $type, status: $status) {
    edges { cursor node { id name type } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
"""

FULL_LISTING = {
    "name": "Deal Sync Pro",
    "callbackUrl": "https://dealsync.example.com/oauth/callback",
    "category": "productivity",
    "summary": "Keeps deals in sync.",
    "iconUrl": "https://cdn.example.com/icon.png",
    "listingImageUrls": ["https://cdn.example.com/1.png", "https://cdn.example.com/2.png"],
    "description": "A longer description of what it does.",
    "videoUrl": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "setupInstructions": "Click install.",
    "websiteUrl": "https://dealsync.example.com",
    "termsOfServiceUrl": "https://dealsync.example.com/terms",
    "privacyPolicyUrl": "https://dealsync.example.com/privacy",
    "pricingUrl": "https://dealsync.example.com/pricing",
    "supportUrl": "https://dealsync.example.com/support",
    "documentationUrl": "https://dealsync.example.com/docs",
    "supportEmail": "help@dealsync.example.com",
    "contactEmail": "Owner@DealSync.example.com",
    "installationUrl": "https://dealsync.example.com/install",
    "useCase": "Sync deals for reviewers to try.",
    "testAccountNotes": "user: demo / pass: demo",
    "partnerTermsAccepted": True,
}


@pytest.fixture
async def developer(gql: GraphQLClient):
    return await sign_up(gql, "dev@example.com")


async def update(gql: GraphQLClient, token: str, app_id: str, **fields) -> dict:
    data = await gql.data(UPDATE_APP, {"input": {"id": app_id, **fields}}, token=token)
    return data["updateApp"]


async def test_create_app_needs_only_name_and_callback_and_shows_the_secret_once(
    gql: GraphQLClient, developer
):
    created = await create_app(gql, developer, app_type="PRIVATE")
    app = created["app"]
    assert app["type"] == "PRIVATE"
    assert app["status"] == "DRAFT"
    assert app["scopes"] == [{"name": "base"}]
    assert len(app["clientId"]) == 16
    assert created["clientSecret"].startswith("dhcs_")

    row = await App.get(client_id=app["clientId"])
    stored = " ".join(str(value) for value in row.__dict__.values())
    assert created["clientSecret"] not in stored
    assert "clientSecret" not in str(
        await gql.data(GET_APP, {"id": app["id"]}, token=developer.token)
    )


async def test_create_app_reports_missing_and_invalid_fields(gql: GraphQLClient, developer):
    data = await gql.data(
        CREATE_APP,
        {"input": {"type": "PUBLIC", "name": "  ", "callbackUrl": "ftp://example.com/cb"}},
        token=developer.token,
    )
    assert sorted(error_codes(data["createApp"])) == [
        ("callbackUrl", "INVALID_URL"),
        ("name", "REQUIRED"),
    ]
    assert data["createApp"]["clientSecret"] is None
    data = await gql.data(
        CREATE_APP,
        {"input": {"type": "PUBLIC", "name": "x" * 101, "callbackUrl": "/relative"}},
        token=developer.token,
    )
    assert sorted(error_codes(data["createApp"])) == [
        ("callbackUrl", "INVALID_URL"),
        ("name", "TOO_LONG"),
    ]
    assert await App.all().count() == 0


async def test_only_sandbox_companies_create_apps(gql: GraphQLClient):
    customer = await sign_up(gql, "buyer@example.com", kind="PRODUCTION")
    variables = {"input": {"type": "PUBLIC", "name": "X", "callbackUrl": "https://x.example/cb"}}
    assert await gql.error_code(CREATE_APP, variables, token=customer.token) == "FORBIDDEN"
    assert await gql.error_code(CREATE_APP, variables) == "UNAUTHENTICATED"


async def test_update_app_saves_every_listing_field(gql: GraphQLClient, developer):
    app_id = (await create_app(gql, developer))["app"]["id"]
    result = await update(gql, developer.token, app_id, **FULL_LISTING)
    assert result["userErrors"] == []

    app = (await gql.data(GET_APP, {"id": app_id}, token=developer.token))["app"]
    expected = {**FULL_LISTING, "contactEmail": "owner@dealsync.example.com"}
    expected.pop("category")
    assert {key: app[key] for key in expected} == expected
    assert app["category"] == {"slug": "productivity", "label": "Productivity"}
    assert app["company"] == {"name": "Acme"}


async def test_update_app_leaves_absent_fields_and_clears_null_ones(gql: GraphQLClient, developer):
    app_id = (await create_app(gql, developer))["app"]["id"]
    await update(gql, developer.token, app_id, summary="First", pricingUrl="https://p.example")
    result = await update(gql, developer.token, app_id, pricingUrl=None)
    assert result["app"]["summary"] == "First"
    assert result["app"]["pricingUrl"] is None


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": None}, [("name", "REQUIRED")]),
        ({"callbackUrl": ""}, [("callbackUrl", "REQUIRED")]),
        ({"name": "n" * 101}, [("name", "TOO_LONG")]),
        ({"summary": "s" * 151}, [("summary", "TOO_LONG")]),
        ({"description": "d" * 1501}, [("description", "TOO_LONG")]),
        ({"setupInstructions": "s" * 1501}, [("setupInstructions", "TOO_LONG")]),
        ({"useCase": "u" * 351}, [("useCase", "TOO_LONG")]),
        ({"websiteUrl": "example.com"}, [("websiteUrl", "INVALID_URL")]),
        ({"iconUrl": "javascript:alert(1)"}, [("iconUrl", "INVALID_URL")]),
        ({"callbackUrl": "https://user:pw@example.com/cb"}, [("callbackUrl", "INVALID_URL")]),
        (
            {"listingImageUrls": ["https://ok.example/1.png", "nope"]},
            [("listingImageUrls", "INVALID_URL")],
        ),
        (
            {"listingImageUrls": [f"https://i.example/{n}.png" for n in range(6)]},
            [("listingImageUrls", "TOO_MANY")],
        ),
        ({"supportEmail": "help at example"}, [("supportEmail", "INVALID_EMAIL")]),
        ({"contactEmail": "@example.com"}, [("contactEmail", "INVALID_EMAIL")]),
        ({"videoUrl": "https://vimeo.com/123"}, [("videoUrl", "INVALID_YOUTUBE_URL")]),
        (
            {"videoUrl": "https://www.youtube.com/channel/abc"},
            [("videoUrl", "INVALID_YOUTUBE_URL")],
        ),
        ({"category": "astrology"}, [("category", "UNKNOWN_CATEGORY")]),
        ({"scopes": ["base", "deals:write"]}, [("scopes", "UNKNOWN_SCOPE")]),
        ({"scopes": ["deals:read"]}, [("scopes", "BASE_SCOPE_REQUIRED")]),
    ],
)
async def test_update_app_refuses_invalid_fields_and_changes_nothing(
    gql: GraphQLClient, developer, fields, expected
):
    app_id = (await create_app(gql, developer))["app"]["id"]
    before = (await gql.data(GET_APP, {"id": app_id}, token=developer.token))["app"]

    result = await update(
        gql, developer.token, app_id, **{"termsOfServiceUrl": "https://t.example", **fields}
    )

    assert error_codes(result) == expected
    assert result["app"] is None
    after = (await gql.data(GET_APP, {"id": app_id}, token=developer.token))["app"]
    assert after == before


async def test_update_app_accepts_short_youtube_links(gql: GraphQLClient, developer):
    app_id = (await create_app(gql, developer))["app"]["id"]
    result = await update(gql, developer.token, app_id, videoUrl="https://youtu.be/dQw4w9WgXcQ")
    assert result["userErrors"] == []


async def test_scopes_keep_base_and_full_includes_read(gql: GraphQLClient, developer):
    app_id = (await create_app(gql, developer))["app"]["id"]
    result = await update(
        gql,
        developer.token,
        app_id,
        scopes=["deals:read", "deals:full", "base", "contacts:read", "contacts:read"],
    )
    names = [scope["name"] for scope in result["app"]["scopes"]]
    assert names == ["base", "deals:full", "contacts:read"]
    assert result["app"]["scopes"][1]["label"] == "Deals: Full access"

    result = await update(gql, developer.token, app_id, scopes=["base"])
    assert [scope["name"] for scope in result["app"]["scopes"]] == ["base"]
    assert await AppScope.all().count() == 1


async def test_rotate_client_secret_shows_a_new_secret_once_and_keeps_the_old_for_the_grace(
    gql: GraphQLClient, developer
):
    created = await create_app(gql, developer)
    app_id = created["app"]["id"]
    before = await App.get(client_id=created["app"]["clientId"])

    data = await gql.data(
        ROTATE, {"input": {"id": app_id, "gracePeriodHours": 48}}, token=developer.token
    )
    new_secret = data["rotateClientSecret"]["clientSecret"]
    assert new_secret.startswith("dhcs_") and new_secret != created["clientSecret"]

    after = await App.get(id=before.id)
    assert after.client_secret_digest != before.client_secret_digest
    assert after.previous_secret_digest == before.client_secret_digest
    assert (after.previous_secret_expires_at - after.updated_at).total_seconds() == 48 * 3600
    assert new_secret not in str(after.__dict__)
    assert after.client_id == before.client_id


@pytest.mark.parametrize("hours", [-1, 169])
async def test_rotate_client_secret_refuses_a_grace_period_out_of_range(
    gql: GraphQLClient, developer, hours
):
    app_id = (await create_app(gql, developer))["app"]["id"]
    before = await App.get()
    data = await gql.data(
        ROTATE, {"input": {"id": app_id, "gracePeriodHours": hours}}, token=developer.token
    )
    assert error_codes(data["rotateClientSecret"]) == [("gracePeriodHours", "OUT_OF_RANGE")]
    assert data["rotateClientSecret"]["clientSecret"] is None
    assert (await App.get()).client_secret_digest == before.client_secret_digest


async def test_another_companys_app_is_not_found_anywhere(gql: GraphQLClient, developer):
    app_id = (await create_app(gql, developer))["app"]["id"]
    rival = await sign_up(gql, "rival@example.com", company="Rival")

    assert await gql.error_code(GET_APP, {"id": app_id}, token=rival.token) == "NOT_FOUND"
    node = "query N($id: ID!) { node(id: $id) { id } }"
    assert await gql.error_code(node, {"id": app_id}, token=rival.token) == "NOT_FOUND"
    assert (
        await gql.error_code(
            UPDATE_APP, {"input": {"id": app_id, "name": "Mine"}}, token=rival.token
        )
        == "NOT_FOUND"
    )
    assert await gql.error_code(ROTATE, {"input": {"id": app_id}}, token=rival.token) == "NOT_FOUND"
    listed = await gql.data(LIST_APPS, token=rival.token)
    assert listed["apps"]["edges"] == []
    assert (await App.get()).name == "Deal Sync"


async def test_unknown_and_malformed_ids_are_not_found(gql: GraphQLClient, developer):
    for bad_id in ["QXBwOjk5OQ==", "garbage", "VXNlcjox"]:  # App:999, not base64, a User id
        assert await gql.error_code(GET_APP, {"id": bad_id}, token=developer.token) == "NOT_FOUND"


async def test_reading_apps_needs_a_sign_in(gql: GraphQLClient, developer):
    app_id = (await create_app(gql, developer))["app"]["id"]
    assert await gql.error_code(GET_APP, {"id": app_id}) == "UNAUTHENTICATED"
    assert await gql.error_code(LIST_APPS) == "UNAUTHENTICATED"


async def test_apps_are_paginated_newest_first_and_filtered(gql: GraphQLClient, developer, clock):
    for n in range(5):
        clock.advance(minutes=1)
        await create_app(gql, developer, name=f"App {n}", app_type="PUBLIC" if n % 2 else "PRIVATE")

    first_page = (await gql.data(LIST_APPS, {"first": 2}, token=developer.token))["apps"]
    assert [e["node"]["name"] for e in first_page["edges"]] == ["App 4", "App 3"]
    assert first_page["pageInfo"]["hasNextPage"] is True
    assert first_page["pageInfo"]["hasPreviousPage"] is False

    rest = (
        await gql.data(
            LIST_APPS,
            {"first": 10, "after": first_page["pageInfo"]["endCursor"]},
            token=developer.token,
        )
    )["apps"]
    assert [e["node"]["name"] for e in rest["edges"]] == ["App 2", "App 1", "App 0"]
    assert rest["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": rest["edges"][-1]["cursor"],
    }

    public = (await gql.data(LIST_APPS, {"type": "PUBLIC"}, token=developer.token))["apps"]
    assert [e["node"]["name"] for e in public["edges"]] == ["App 3", "App 1"]
    drafts = (await gql.data(LIST_APPS, {"status": "DRAFT"}, token=developer.token))["apps"]
    assert len(drafts["edges"]) == 5
    live = (await gql.data(LIST_APPS, {"status": "LIVE"}, token=developer.token))["apps"]
    assert live["edges"] == []


async def test_page_size_and_cursors_are_checked(gql: GraphQLClient, developer):
    for first in (101, -1):
        assert await gql.error_code(LIST_APPS, {"first": first}, token=developer.token) == (
            "BAD_USER_INPUT"
        )
    assert await gql.error_code(LIST_APPS, {"after": "bm9wZQ=="}, token=developer.token) == (
        "BAD_USER_INPUT"
    )
    ok = await gql.data(LIST_APPS, {"first": 100}, token=developer.token)
    assert ok["apps"]["edges"] == []


async def test_node_resolves_apps_users_and_companies_of_the_viewer(gql: GraphQLClient, developer):
    app_id = (await create_app(gql, developer))["app"]["id"]
    query = """
    query N($id: ID!) {
      node(id: $id) {
        __typename id
        ... on App { name }
        ... on User { email }
        ... on Company { name }
      }
    }
    """
    for node_id, expected in [
        (app_id, {"__typename": "App", "name": "Deal Sync"}),
        (developer.user_id, {"__typename": "User", "email": "dev@example.com"}),
        (developer.company_id, {"__typename": "Company", "name": "Acme"}),
    ]:
        node = (await gql.data(query, {"id": node_id}, token=developer.token))["node"]
        assert node == {"id": node_id, **expected}

    rival = await sign_up(gql, "rival@example.com", company="Rival")
    for node_id in (app_id, developer.user_id, developer.company_id):
        assert await gql.error_code(query, {"id": node_id}, token=rival.token) == "NOT_FOUND"
