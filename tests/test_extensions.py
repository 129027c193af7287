"""App extensions over HTTP: registration of every kind, every field rule and per-app limit at its
edge and one past it, secrets kept encrypted, the review rule, launching with a signed token, and
the marketplace's features."""

from __future__ import annotations

import asyncio
import base64
import copy
import dataclasses
import json
from typing import Any

import httpx
import jwt
import pytest

from devhub_gql import sql
from devhub_gql.app import create_app as create_service
from devhub_gql.models import AppExtension
from devhub_gql.settings import Settings
from tests.oauth.support import install, live_private_app, query_of
from tests.support import (
    STATUS_MUTATIONS,
    Account,
    GraphQLClient,
    approve,
    count_statements,
    create_app,
    error_codes,
    fill_listing,
    make_reviewer,
    published_app,
    sign_up,
    submit,
)
from tests.test_query_counts import assert_statement_count

LINK_SECRET = "a link action's own secret, 32+ chars"
EXTENSION_FIELDS = """
  id kind name description url locations entryPoints height width jsonSchema settingsType
  httpUsername hasHttpPassword hasJwtSecret
"""
ADD = f"""
mutation Add($input: AddAppExtensionInput!) {{
  addAppExtension(input: $input) {{
    extension {{ {EXTENSION_FIELDS} }} live userErrors {{ field code message }}
  }}
}}
"""
UPDATE = f"""
mutation Update($input: UpdateAppExtensionInput!) {{
  updateAppExtension(input: $input) {{
    extension {{ {EXTENSION_FIELDS} }} live userErrors {{ field code message }}
  }}
}}
"""
REMOVE = """
mutation Remove($input: RemoveAppExtensionInput!) {
  removeAppExtension(input: $input) { live userErrors { field code message } }
}
"""
OPEN = """
mutation Open($input: OpenAppExtensionInput!) {
  openAppExtension(input: $input) { url token expiresAt userErrors { field code message } }
}
"""
EXTENSIONS = f"""
query Extensions($id: ID!) {{
  app(id: $id) {{
    extensionSigningSecret
    extensions {{ {EXTENSION_FIELDS} }}
    pendingRevision {{ status diff {{
      extensionsAdded {{ id kind name }}
      extensionsRemoved {{ id kind name }}
      extensionsChanged {{ extension {{ id name }} fields {{ field old new }} }}
    }} }}
  }}
}}
"""

PANEL_SCHEMA = {
    "type": "object",
    "properties": {
        "deal_value": {"$ref": "#/definitions/currency", "label": "Value"},
        "status": {"$ref": "#/definitions/label"},
    },
}
MODAL_SCHEMA = {
    "blocks": {"note": {"$ref": "#/definitions/element-textarea"}},
    "actions": {"save": {"$ref": "#/definitions/action-primary", "handler": "request"}},
}

# A valid definition of every kind.
VALID: dict[str, dict[str, Any]] = {
    "LINK_ACTION": {
        "name": "Open in Deal Sync",
        "url": "https://dealsync.example.com/open",
        "locations": ["DEAL_DETAILS"],
    },
    "JSON_MODAL": {
        "name": "Add a note",
        "url": "https://dealsync.example.com/modal",
        "locations": ["DEALS_LIST"],
        "jsonSchema": MODAL_SCHEMA,
    },
    "CUSTOM_MODAL": {
        "name": "Schedule",
        "url": "https://dealsync.example.com/schedule",
        "height": 400,
        "width": 600,
    },
    "JSON_PANEL": {
        "name": "Deal health",
        "description": "How the deal is doing.",
        "url": "https://dealsync.example.com/panel",
        "locations": ["DEAL_DETAILS"],
        "jsonSchema": PANEL_SCHEMA,
        "httpUsername": "pipe",
        "httpPassword": "basic-password-in-clear",
    },
    "CUSTOM_PANEL": {
        "name": "Timeline",
        "url": "https://dealsync.example.com/timeline",
        "locations": ["PERSON_DETAILS"],
        "height": 300,
    },
    "FLOATING_WINDOW": {
        "name": "Dialer",
        "description": "Call from any page.",
        "url": "https://dealsync.example.com/dialer",
        "entryPoints": ["TOP_BAR", "PHONE_NUMBER"],
        "height": 500,
        "width": 400,
    },
    "SETTINGS_PAGE": {"settingsType": "CUSTOM_UI", "url": "https://dealsync.example.com/settings"},
}


async def add(
    gql: GraphQLClient, who: Account, app_id: str, kind: str, **fields: Any
) -> dict[str, Any]:
    data = await gql.data(
        ADD, {"input": {"appId": app_id, "kind": kind, "fields": fields}}, token=who.token
    )
    return data["addAppExtension"]


async def added(gql: GraphQLClient, who: Account, app_id: str, kind: str, **fields: Any) -> str:
    payload = await add(gql, who, app_id, kind, **fields)
    assert payload["userErrors"] == [], payload
    return payload["extension"]["id"]


async def read(gql: GraphQLClient, who: Account, app_id: str) -> dict[str, Any]:
    return (await gql.data(EXTENSIONS, {"id": app_id}, token=who.token))["app"]


@pytest.fixture
async def developer(gql: GraphQLClient) -> Account:
    return await sign_up(gql, "dev@example.com")


@pytest.fixture
async def draft(gql: GraphQLClient, developer: Account) -> str:
    return (await create_app(gql, developer))["app"]["id"]


async def test_every_kind_registers_and_reads_back_without_its_secrets(
    gql: GraphQLClient, developer: Account, draft: str
) -> None:
    ids = {}
    for kind, fields in VALID.items():
        payload = await add(
            gql, developer, draft, kind, jwtSecret=f"jwt-{kind}-in-clear".ljust(32, "x"), **fields
        )
        assert payload["userErrors"] == [], (kind, payload)
        assert payload["live"] is True  # a draft changes at once
        ids[kind] = payload["extension"]["id"]
    shown = (await read(gql, developer, draft))["extensions"]
    assert [e["kind"] for e in shown] == list(VALID)
    assert [e["id"] for e in shown] == list(ids.values())
    panel = shown[3]
    assert panel["jsonSchema"] == PANEL_SCHEMA
    assert (panel["httpUsername"], panel["hasHttpPassword"], panel["hasJwtSecret"]) == (
        "pipe",
        True,
        True,
    )
    window = shown[5]
    assert window["entryPoints"] == ["TOP_BAR", "PHONE_NUMBER"]
    assert (window["height"], window["width"]) == (500, 400)
    assert shown[1]["locations"] == ["DEALS_LIST"]
    # Stored encrypted: no secret is in the rows in clear.
    stored = await sql.rows("SELECT definition FROM app_extension")
    text = " ".join(str(row["definition"]) for row in stored)
    assert "basic-password-in-clear" not in text
    assert "jwt-" not in text
    assert await AppExtension.all().count() == 7


async def test_fields_at_their_limits_and_one_past(
    gql: GraphQLClient, developer: Account, draft: str
) -> None:
    window = VALID["FLOATING_WINDOW"]
    edges: list[tuple[str, dict[str, Any], list[tuple[str | None, str]]]] = [
        ("LINK_ACTION", {"name": "n" * 30}, []),
        ("LINK_ACTION", {"name": "n" * 31}, [("name", "TOO_LONG")]),
        ("LINK_ACTION", {"description": "d" * 150}, []),
        ("LINK_ACTION", {"description": "d" * 151}, [("description", "TOO_LONG")]),
        ("LINK_ACTION", {"name": " "}, [("name", "REQUIRED")]),
        ("LINK_ACTION", {"locations": []}, [("locations", "REQUIRED")]),
        ("LINK_ACTION", {"url": "http://dealsync.example.com/x"}, [("url", "HTTPS_REQUIRED")]),
        ("LINK_ACTION", {"height": 200}, [("height", "NOT_ALLOWED_HERE")]),
        ("CUSTOM_PANEL", {"locations": ["DEALS_LIST"]}, [("locations", "NOT_ALLOWED_HERE")]),
        ("CUSTOM_PANEL", {"height": 100}, []),
        ("CUSTOM_PANEL", {"height": 750}, []),
        ("CUSTOM_PANEL", {"height": 99}, [("height", "OUT_OF_RANGE")]),
        ("CUSTOM_PANEL", {"height": 751}, [("height", "OUT_OF_RANGE")]),
        ("CUSTOM_MODAL", {"height": 120, "width": 320}, []),
        (
            "CUSTOM_MODAL",
            {"height": 119, "width": 319},
            [("height", "OUT_OF_RANGE"), ("width", "OUT_OF_RANGE")],
        ),
        ("FLOATING_WINDOW", {"height": 70, "width": 200}, []),
        ("FLOATING_WINDOW", {"height": 700, "width": 800}, []),
        (
            "FLOATING_WINDOW",
            {"height": 69, "width": 199},
            [("height", "OUT_OF_RANGE"), ("width", "OUT_OF_RANGE")],
        ),
        (
            "FLOATING_WINDOW",
            {"height": 701, "width": 801},
            [("height", "OUT_OF_RANGE"), ("width", "OUT_OF_RANGE")],
        ),
        ("FLOATING_WINDOW", {"description": None}, [("description", "REQUIRED")]),
        (
            "JSON_PANEL",
            {"httpPassword": None},
            [("httpPassword", "REQUIRED"), ("jwtSecret", "REQUIRED")],
        ),
        ("JSON_PANEL", {"httpUsername": None, "httpPassword": None, "jwtSecret": "s" * 32}, []),
        ("JSON_PANEL", {"jwtSecret": "s" * 31}, [("jwtSecret", "TOO_SHORT")]),
        ("JSON_MODAL", {"jsonSchema": None}, [("jsonSchema", "REQUIRED")]),
        ("SETTINGS_PAGE", {"settingsType": None}, [("settingsType", "REQUIRED")]),
        (
            "SETTINGS_PAGE",
            {"settingsType": "EXTERNAL_LINK", "jwtSecret": "s" * 32},
            [("jwtSecret", "NOT_ALLOWED_HERE")],
        ),
    ]
    for kind, change, expected in edges:
        fields = {**VALID[kind], **change}
        payload = await add(gql, developer, draft, kind, **fields)
        assert sorted(error_codes(payload)) == sorted(expected), (kind, change, payload)
        if payload["extension"]:  # keep within the per-app limits for the next edge
            await gql.data(
                REMOVE,
                {"input": {"appId": draft, "extensionId": payload["extension"]["id"]}},
                token=developer.token,
            )
    assert window["description"]
    assert (await read(gql, developer, draft))["extensions"] == []


async def test_all_problems_of_one_save_come_back_at_once_and_nothing_is_saved(
    gql: GraphQLClient, developer: Account, draft: str
) -> None:
    payload = await add(
        gql,
        developer,
        draft,
        "FLOATING_WINDOW",
        name="x" * 31,
        url="ftp://dealsync.example.com",
        height=10,
        locations=["DEAL_DETAILS"],
    )
    assert sorted(error_codes(payload)) == [
        ("description", "REQUIRED"),
        ("height", "OUT_OF_RANGE"),
        ("locations", "NOT_ALLOWED_HERE"),
        ("name", "TOO_LONG"),
        ("url", "HTTPS_REQUIRED"),
    ]
    assert payload["extension"] is None
    assert (await read(gql, developer, draft))["extensions"] == []


async def test_json_schemas_are_checked_with_each_problem_at_its_path(
    gql: GraphQLClient, developer: Account, draft: str
) -> None:
    bad_panel = {
        "type": "object",
        "properties": {
            "amount": {"$ref": "#/definitions/money"},
            "x": {"$ref": "#/definitions/text", "colour": 1},
        },
    }
    payload = await add(
        gql, developer, draft, "JSON_PANEL", **{**VALID["JSON_PANEL"], "jsonSchema": bad_panel}
    )
    problems = [e for e in payload["userErrors"] if e["code"] == "INVALID_SCHEMA"]
    assert len(problems) == 2, payload
    assert problems[0]["field"] == "jsonSchema"
    assert problems[0]["message"].startswith("$.properties.amount")
    assert problems[1]["message"].startswith("$.properties.x")

    def blocks(n: int) -> dict[str, Any]:
        return {"blocks": {f"b{i}": {"$ref": "#/definitions/element-text"} for i in range(n)}}

    ten = await add(
        gql, developer, draft, "JSON_MODAL", **{**VALID["JSON_MODAL"], "jsonSchema": blocks(10)}
    )
    assert ten["userErrors"] == []
    eleven = await add(
        gql, developer, draft, "JSON_MODAL", **{**VALID["JSON_MODAL"], "jsonSchema": blocks(11)}
    )
    assert error_codes(eleven) == [("jsonSchema", "INVALID_SCHEMA")]
    assert eleven["userErrors"][0]["message"].startswith("$.blocks")


async def test_per_app_limits_at_their_edge_and_one_past(
    gql: GraphQLClient, developer: Account, draft: str
) -> None:
    link = VALID["LINK_ACTION"]
    for _ in range(3):
        await added(gql, developer, draft, "LINK_ACTION", **link)
    fourth = await add(
        gql, developer, draft, "JSON_MODAL", **VALID["JSON_MODAL"] | {"locations": ["DEAL_DETAILS"]}
    )
    assert error_codes(fourth) == [("locations", "LOCATION_FULL")]
    # 21 menu extensions: 3 in each of the 7 locations, then one more anywhere.
    for location in [
        "PERSON_DETAILS",
        "ORGANIZATION_DETAILS",
        "DEALS_LIST",
        "PEOPLE_LIST",
        "ORGANIZATIONS_LIST",
        "ACTIVITIES_LIST",
    ]:
        for _ in range(3):
            await added(gql, developer, draft, "LINK_ACTION", **link | {"locations": [location]})
    twenty_second = await add(gql, developer, draft, "CUSTOM_MODAL", **VALID["CUSTOM_MODAL"])
    assert error_codes(twenty_second) == [(None, "TOO_MANY_EXTENSIONS")]

    await added(gql, developer, draft, "JSON_PANEL", **VALID["JSON_PANEL"])  # deal details
    await added(gql, developer, draft, "CUSTOM_PANEL", **VALID["CUSTOM_PANEL"])  # person details
    third_view = VALID["CUSTOM_PANEL"] | {"locations": ["ORGANIZATION_DETAILS"]}
    await added(gql, developer, draft, "CUSTOM_PANEL", **third_view)
    second_in_deal = await add(
        gql,
        developer,
        draft,
        "CUSTOM_PANEL",
        **VALID["CUSTOM_PANEL"] | {"locations": ["DEAL_DETAILS"]},
    )
    assert error_codes(second_in_deal) == [("locations", "LOCATION_FULL")]

    await added(gql, developer, draft, "FLOATING_WINDOW", **VALID["FLOATING_WINDOW"])
    second_window = await add(gql, developer, draft, "FLOATING_WINDOW", **VALID["FLOATING_WINDOW"])
    assert error_codes(second_window) == [(None, "TOO_MANY_EXTENSIONS")]
    await added(gql, developer, draft, "SETTINGS_PAGE", **VALID["SETTINGS_PAGE"])
    second_settings = await add(gql, developer, draft, "SETTINGS_PAGE", **VALID["SETTINGS_PAGE"])
    assert error_codes(second_settings) == [(None, "TOO_MANY_EXTENSIONS")]
    assert len((await read(gql, developer, draft))["extensions"]) == 21 + 3 + 1 + 1


async def test_another_company_cannot_see_or_touch_an_apps_extensions(
    gql: GraphQLClient, developer: Account, draft: str
) -> None:
    extension_id = await added(gql, developer, draft, "LINK_ACTION", **VALID["LINK_ACTION"])
    other = await sign_up(gql, "other@example.com", company="Other")
    assert await gql.error_code(EXTENSIONS, {"id": draft}, token=other.token) == "NOT_FOUND"
    body = await gql.post(
        UPDATE,
        {"input": {"appId": draft, "extensionId": extension_id, "fields": {"name": "Mine"}}},
        token=other.token,
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert (await read(gql, developer, draft))["extensions"][0]["name"] == "Open in Deal Sync"


async def test_on_a_published_app_extension_edits_wait_for_review_and_merge(
    gql: GraphQLClient, backoffice: GraphQLClient, developer: Account
) -> None:
    reviewer = await make_reviewer(gql)
    app_id = await published_app(gql, backoffice, developer, reviewer)
    payload = await add(gql, developer, app_id, "FLOATING_WINDOW", **VALID["FLOATING_WINDOW"])
    assert payload["userErrors"] == [] and payload["live"] is False
    window_id = payload["extension"]["id"]
    app = await read(gql, developer, app_id)
    assert app["extensions"] == []  # not live yet
    assert app["pendingRevision"]["diff"]["extensionsAdded"] == [
        {"id": window_id, "kind": "FLOATING_WINDOW", "name": "Dialer"}
    ]
    # Later edits change the pending list, not the live one.
    changed = await gql.data(
        UPDATE,
        {
            "input": {
                "appId": app_id,
                "extensionId": window_id,
                "fields": {"description": "Calls.", "jwtSecret": "s3cret" * 6},
            }
        },
        token=developer.token,
    )
    assert changed["updateAppExtension"]["userErrors"] == []
    submitted = await submit(gql, developer, app_id)
    assert submitted["userErrors"] == [], submitted
    snapshot = await backoffice.data(
        """query Q($id: ID!) { submission(id: $id) {
             snapshot { extensions { id kind name description hasJwtSecret } }
             diff { extensionsAdded { id name } } } }""",
        {"id": submitted["submission"]["id"]},
        token=reviewer.token,
    )
    node = snapshot["submission"]
    assert node["snapshot"]["extensions"] == [
        {
            "id": window_id,
            "kind": "FLOATING_WINDOW",
            "name": "Dialer",
            "description": "Calls.",
            "hasJwtSecret": True,
        }
    ]
    assert node["diff"]["extensionsAdded"] == [{"id": window_id, "name": "Dialer"}]
    await approve(backoffice, reviewer, submitted["submission"]["id"])
    merged = await gql.data(
        STATUS_MUTATIONS["mergePendingRevision"], {"id": app_id}, token=developer.token
    )
    assert merged["mergePendingRevision"]["userErrors"] == []
    live = await read(gql, developer, app_id)
    assert [e["id"] for e in live["extensions"]] == [window_id]
    assert live["pendingRevision"] is None

    # A change to a live extension shows field by field; a secret only as set.
    await gql.data(
        UPDATE,
        {
            "input": {
                "appId": app_id,
                "extensionId": window_id,
                "fields": {"name": "Phone", "jwtSecret": "another" * 5},
            }
        },
        token=developer.token,
    )
    diff = (await read(gql, developer, app_id))["pendingRevision"]["diff"]
    assert diff["extensionsChanged"] == [
        {
            "extension": {"id": window_id, "name": "Phone"},
            "fields": [
                {"field": "name", "old": "Dialer", "new": "Phone"},
                {"field": "jwtSecret", "old": "(set)", "new": "(set)"},
            ],
        }
    ]
    removed = await gql.data(
        REMOVE, {"input": {"appId": app_id, "extensionId": window_id}}, token=developer.token
    )
    assert removed["removeAppExtension"] == {"live": False, "userErrors": []}
    diff = (await read(gql, developer, app_id))["pendingRevision"]["diff"]
    assert diff["extensionsRemoved"] == [
        {"id": window_id, "kind": "FLOATING_WINDOW", "name": "Dialer"}
    ]
    assert diff["extensionsChanged"] == []


LISTING_FEATURES = """
query M($kinds: [ExtensionKind!]) {
  marketplaceApps(first: 50, withFeatures: $kinds) {
    edges { node { name features { kind name description interactive } } }
  }
}
"""


async def test_the_marketplace_lists_features_and_filters_by_them(
    gql: GraphQLClient, backoffice: GraphQLClient, developer: Account
) -> None:
    reviewer = await make_reviewer(gql)
    with_window = (await create_app(gql, developer, name="Dialer App"))["app"]["id"]
    await added(gql, developer, with_window, "LINK_ACTION", **VALID["LINK_ACTION"])
    await added(gql, developer, with_window, "FLOATING_WINDOW", **VALID["FLOATING_WINDOW"])
    await added(gql, developer, with_window, "SETTINGS_PAGE", **VALID["SETTINGS_PAGE"])
    await published_app_of(gql, backoffice, developer, reviewer, with_window)
    await published_app(gql, backoffice, developer, reviewer)  # no extensions

    everything = await gql.data(LISTING_FEATURES, {"kinds": None})
    by_name = {
        e["node"]["name"]: e["node"]["features"] for e in everything["marketplaceApps"]["edges"]
    }
    assert by_name == {
        "Dialer App": [
            {
                "kind": "LINK_ACTION",
                "name": "Open in Deal Sync",
                "description": None,
                "interactive": False,
            },
            {
                "kind": "FLOATING_WINDOW",
                "name": "Dialer",
                "description": "Call from any page.",
                "interactive": True,
            },
        ],
        "Deal Sync": [],
    }
    interactive = await gql.data(LISTING_FEATURES, {"kinds": ["FLOATING_WINDOW"]})
    assert [e["node"]["name"] for e in interactive["marketplaceApps"]["edges"]] == ["Dialer App"]
    panels = await gql.data(LISTING_FEATURES, {"kinds": ["JSON_PANEL", "CUSTOM_PANEL"]})
    assert panels["marketplaceApps"]["edges"] == []


async def test_opening_an_extension_gives_a_signed_token_for_users_who_installed_the_app(
    gql: GraphQLClient, http, receiver, clock, developer: Account
) -> None:
    app = await live_private_app(gql, developer, f"{receiver.url}/cb")
    panel_id = await added(gql, developer, app.id, "CUSTOM_PANEL", **VALID["CUSTOM_PANEL"])
    link_id = await added(
        gql,
        developer,
        app.id,
        "LINK_ACTION",
        **VALID["LINK_ACTION"] | {"locations": ["DEALS_LIST"], "jwtSecret": LINK_SECRET},
    )
    app_secret = (await read(gql, developer, app.id))["extensionSigningSecret"]
    customer = await sign_up(gql, "buyer@example.com", kind="PRODUCTION", company="Buyer")

    async def open_(who: Account, extension_id: str, **context: Any) -> dict[str, Any]:
        return await gql.post(
            OPEN, {"input": {"extensionId": extension_id, "context": context}}, token=who.token
        )

    refused = await open_(customer, panel_id, location="PERSON_DETAILS")
    assert refused["errors"][0]["extensions"]["code"] == "APP_NOT_INSTALLED"
    await install(gql, http, customer, app)

    with count_statements() as counted:
        opened = await open_(customer, panel_id, location="PERSON_DETAILS", selectedIds=["42"])
    assert_statement_count("openAppExtension", counted)
    payload = opened["data"]["openAppExtension"]
    url = payload["url"]
    assert url.startswith(VALID["CUSTOM_PANEL"]["url"] + "?")
    query = query_of(url)
    user_id, company_id = query["userId"], query["companyId"]
    assert query["resource"] == "person" and query["view"] == "details"
    assert query["selectedIds"] == "42" and query["id"] == panel_id
    assert query["token"] == payload["token"]
    claims = jwt.decode(payload["token"], app_secret, algorithms=["HS256"], audience=panel_id)
    assert (str(claims["userId"]), str(claims["companyId"])) == (user_id, company_id)
    assert claims["exp"] - claims["iat"] == 300
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(payload["token"], LINK_SECRET, algorithms=["HS256"], audience=panel_id)
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(payload["token"], app_secret, algorithms=["HS256"], audience=link_id)

    # The link action signs with its own secret, and carries the list's context.
    link = (
        await open_(
            customer,
            link_id,
            location="DEALS_LIST",
            selectedIds=["1", "2"],
            excludedIds=["3"],
            filter='{"filter_id":42}',
        )
    )["data"]["openAppExtension"]
    link_query = query_of(link["url"])
    assert (link_query["resource"], link_query["view"]) == ("deal", "list")
    assert (link_query["selectedIds"], link_query["excludedIds"]) == ("1,2", "3")
    assert link_query["filter"] == '{"filter_id":42}' and "id" not in link_query
    jwt.decode(link["token"], LINK_SECRET, algorithms=["HS256"], audience=link_id)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(link["token"], app_secret, algorithms=["HS256"], audience=link_id)
    wrong_place = (await open_(customer, link_id, location="DEAL_DETAILS"))["data"][
        "openAppExtension"
    ]
    assert error_codes(wrong_place) == [("location", "NOT_ALLOWED_HERE")]

    # A token made more than 5 minutes ago is refused.
    clock.advance(minutes=-6)
    old = (await open_(customer, panel_id, location="PERSON_DETAILS"))["data"]["openAppExtension"]
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(old["token"], app_secret, algorithms=["HS256"], audience=panel_id)
    clock.advance(minutes=6)

    # The developer's other companies' users, and unknown ids, get nothing.
    stranger = await sign_up(gql, "stranger@example.com", kind="PRODUCTION", company="Elsewhere")
    assert (await open_(stranger, panel_id))["errors"][0]["extensions"][
        "code"
    ] == "APP_NOT_INSTALLED"
    assert (await open_(customer, "ext_unknown"))["errors"][0]["extensions"]["code"] == "NOT_FOUND"

    # Once uninstalled, the user opens nothing.
    mine = await gql.data("{ installations(first: 5) { nodes { id } } }", token=customer.token)
    [installation] = mine["installations"]["nodes"]
    gone = await gql.data(
        """mutation U($id: ID!) {
             uninstallApp(input: {installationId: $id}) { userErrors { code } } }""",
        {"id": installation["id"]},
        token=customer.token,
    )
    assert gone["uninstallApp"]["userErrors"] == []
    after = await open_(customer, panel_id, location="PERSON_DETAILS")
    assert after["errors"][0]["extensions"]["code"] == "APP_NOT_INSTALLED"


async def test_extension_lists_cost_a_fixed_number_of_statements(
    gql: GraphQLClient, http, developer: Account
) -> None:
    query = f"{{ apps(first: 50) {{ edges {{ node {{ name extensions {{ {EXTENSION_FIELDS} }}"
    query += " } } } }"
    counts = []
    for n in (1, 3):
        while (
            len(
                (
                    await gql.data(
                        "{ apps(first: 50) { edges { node { id } } } }", token=developer.token
                    )
                )["apps"]["edges"]
            )
            < n
        ):
            app_id = (await create_app(gql, developer))["app"]["id"]
            await added(gql, developer, app_id, "LINK_ACTION", **VALID["LINK_ACTION"])
        with count_statements() as counted:
            await gql.data(query, token=developer.token)
        counts.append(len(counted.statements))
        assert_statement_count("apps with extensions", counted)
    assert counts[0] == counts[1]


async def test_marketplace_features_cost_a_fixed_number_of_statements(
    gql: GraphQLClient, backoffice: GraphQLClient, developer: Account
) -> None:
    reviewer = await make_reviewer(gql)
    query = "{ marketplaceApps(first: 50) { edges { node { name features { kind name } } } } }"
    counts = []
    for n in (1, 3):
        listed = "{ marketplaceApps(first: 50) { edges { node { id } } } }"
        while len((await gql.data(listed))["marketplaceApps"]["edges"]) < n:
            app_id = (await create_app(gql, developer))["app"]["id"]
            await added(gql, developer, app_id, "LINK_ACTION", **VALID["LINK_ACTION"])
            await published_app_of(gql, backoffice, developer, reviewer, app_id)
        with count_statements() as counted:  # a miss: each round published an app first
            answer = await gql.data(query)
        assert all(e["node"]["features"] for e in answer["marketplaceApps"]["edges"])
        counts.append(len(counted.statements))
        assert_statement_count("marketplaceApps with features", counted)
    assert counts[0] == counts[1]


async def published_app_of(
    gql: GraphQLClient,
    backoffice: GraphQLClient,
    developer: Account,
    reviewer: Account,
    app_id: str,
) -> None:
    await fill_listing(gql, developer, app_id)
    submitted = await submit(gql, developer, app_id)
    assert (await approve(backoffice, reviewer, submitted["submission"]["id"]))["userErrors"] == []
    await gql.data(STATUS_MUTATIONS["publishApp"], {"id": app_id}, token=developer.token)


CHECK = """
mutation Check($input: CheckAppExtensionInput!) {
  checkAppExtension(input: $input) { passed problems userErrors { code } }
}
"""


@pytest.fixture
def settings(database_url: str) -> Settings:
    # A JSON panel that holds its answer fails the check after this long (the CRM waits 10 s).
    return Settings(
        database_url=database_url,
        env="development",
        allow_private_callbacks=True,
        extension_timeout_seconds=0.5,
    )


async def test_a_json_panel_endpoint_is_checked_as_the_crm_calls_it(
    gql: GraphQLClient, developer: Account, draft: str, receiver
) -> None:
    panel = VALID["JSON_PANEL"] | {"url": f"{receiver.url}/panel", "jwtSecret": LINK_SECRET}
    panel_id = await added(gql, developer, draft, "JSON_PANEL", **panel)

    async def check() -> dict[str, Any]:
        variables = {"input": {"appId": draft, "extensionId": panel_id}}
        return (await gql.data(CHECK, variables, token=developer.token))["checkAppExtension"]

    # Answering well: called with the sample context, a signed token and the Basic credentials.
    receiver.body = json.dumps(
        {
            "data": {
                "deal_value": {"code": "EUR", "value": 10},
                "status": {"color": "green", "label": "On track"},
            }
        }
    ).encode()
    assert await check() == {"passed": True, "problems": [], "userErrors": []}
    method, path, headers, _ = receiver.requests[-1]
    query = query_of(path)
    assert method == "GET" and path.startswith("/panel?")
    assert (query["resource"], query["view"], query["isShared"]) == ("deal", "details", "false")
    claims = jwt.decode(query["token"], LINK_SECRET, algorithms=["HS256"], audience=panel_id)
    assert claims["companyId"] == 0
    assert (
        headers["authorization"]
        == "Basic " + base64.b64encode(b"pipe:basic-password-in-clear").decode()
    )

    # Answering wrongly: each problem with its path.
    receiver.body = json.dumps(
        {"data": {"deal_value": {"code": "euro", "value": "ten"}, "colour": "red"}}
    ).encode()
    wrong = await check()
    assert wrong["passed"] is False
    assert [p.split(":")[0] for p in wrong["problems"]] == [
        "$.data.colour",
        "$.data.deal_value.code",
        "$.data.deal_value.value",
    ], wrong
    receiver.status = 500
    assert (await check())["problems"] == [f"{receiver.url}/panel answered with HTTP 500, not 200."]

    # Answering slowly: held past the time-out.
    receiver.status = 200
    receiver.gate.clear()
    slow = await check()
    receiver.gate.set()
    assert slow == {
        "passed": False,
        "problems": [f"{receiver.url}/panel did not answer within 0.5 seconds."],
        "userErrors": [],
    }


async def test_submission_checks_every_extension_for_the_reviewer(
    gql: GraphQLClient, developer: Account, draft: str, receiver
) -> None:
    receiver.body = json.dumps({"data": {}}).encode()
    await added(
        gql, developer, draft, "JSON_PANEL", **VALID["JSON_PANEL"] | {"url": f"{receiver.url}/p"}
    )
    await added(
        gql,
        developer,
        draft,
        "CUSTOM_PANEL",
        **VALID["CUSTOM_PANEL"] | {"url": f"{receiver.url}/c"},
    )
    nowhere = "http://127.0.0.1:9/closed"  # nothing listens on the discard port
    await added(gql, developer, draft, "LINK_ACTION", **VALID["LINK_ACTION"] | {"url": nowhere})
    await fill_listing(gql, developer, draft)
    submitted = await submit(gql, developer, draft)
    assert submitted["userErrors"] == []
    [check] = [c for c in submitted["submission"]["checks"] if c["id"] == "extensions_answer"]
    assert check["passed"] is False
    assert check["message"] == f"Open in Deal Sync: {nowhere} did not answer (ConnectError)."


async def test_concurrent_saves_of_one_app_keep_its_limits(
    gql: GraphQLClient, developer: Account, draft: str
) -> None:
    """In flight together (on PostgreSQL, each on its own connection), eight saves of a second
    floating window: exactly one is taken."""
    window = VALID["FLOATING_WINDOW"]
    answers = await asyncio.gather(
        *(add(gql, developer, draft, "FLOATING_WINDOW", **window) for _ in range(8))
    )
    assert sorted(len(a["userErrors"]) for a in answers) == [0] + [1] * 7
    assert {error_codes(a)[0] for a in answers if a["userErrors"]} == {
        (None, "TOO_MANY_EXTENSIONS")
    }
    assert len((await read(gql, developer, draft))["extensions"]) == 1


async def test_secrets_set_under_another_secret_key_are_refused_until_set_again(
    gql: GraphQLClient, http, receiver, settings: Settings, clock, developer: Account
) -> None:
    app = await live_private_app(gql, developer, f"{receiver.url}/cb")
    own = "this panel's own secret, 32 chars or more"
    panel = VALID["CUSTOM_PANEL"] | {"jwtSecret": own}
    panel_id = await added(gql, developer, app.id, "CUSTOM_PANEL", **panel)
    customer = await sign_up(gql, "buyer@example.com", kind="PRODUCTION", company="Buyer")
    await install(gql, http, customer, app)
    rotated = create_service(
        dataclasses.replace(settings, secret_key="another secret key, also 32+ chars long"),
        clock=clock,
        manage_database=False,
    )
    transport = httpx.ASGITransport(app=rotated)
    async with httpx.AsyncClient(transport=transport, base_url="http://devhub.test") as client:
        after = GraphQLClient(client)
        variables = {"input": {"extensionId": panel_id}}
        refused = await after.post(OPEN, variables, token=customer.token)
        assert refused["errors"][0]["extensions"]["code"] == "SECRET_UNREADABLE"
        again = await after.data(
            UPDATE,
            {"input": {"appId": app.id, "extensionId": panel_id, "fields": {"jwtSecret": own}}},
            token=developer.token,
        )
        assert again["updateAppExtension"]["userErrors"] == []
        opened = (await after.data(OPEN, variables, token=customer.token))["openAppExtension"]
        jwt.decode(opened["token"], own, algorithms=["HS256"], audience=panel_id)


def _fields(n: int) -> dict[str, Any]:
    return {f"f{i}": {"$ref": "#/definitions/text"} for i in range(n)}


async def test_panel_schema_and_answer_limits_at_their_edge_and_one_past(
    gql: GraphQLClient, developer: Account, draft: str, receiver
) -> None:
    multi = {"type": "array", "items": {"type": "object", "properties": {}}}

    def panel(properties: dict[str, Any]) -> dict[str, Any]:
        schema = copy.deepcopy(multi)
        schema["items"]["properties"] = {"title": {"$ref": "#/definitions/header"}, **properties}
        return VALID["JSON_PANEL"] | {"url": f"{receiver.url}/panel", "jsonSchema": schema}

    too_many = await add(gql, developer, draft, "JSON_PANEL", **panel(_fields(21)))
    assert error_codes(too_many) == [("jsonSchema", "INVALID_SCHEMA")]
    no_header = VALID["JSON_PANEL"] | {
        "jsonSchema": multi | {"items": {"type": "object", "properties": _fields(2)}}
    }
    assert error_codes(await add(gql, developer, draft, "JSON_PANEL", **no_header)) == [
        ("jsonSchema", "INVALID_SCHEMA")
    ]
    panel_id = await added(gql, developer, draft, "JSON_PANEL", **panel(_fields(20)))

    async def check(objects: int) -> dict[str, Any]:
        row = {"title": "Deal", **{f"f{i}": "x" for i in range(20)}}
        receiver.body = json.dumps({"data": [row] * objects}).encode()
        variables = {"input": {"appId": draft, "extensionId": panel_id}}
        return (await gql.data(CHECK, variables, token=developer.token))["checkAppExtension"]

    assert (await check(10))["passed"] is True
    eleven = await check(11)
    assert eleven["passed"] is False and eleven["problems"][0].startswith("$.data:")
