"""App manifests over HTTP: export, the published JSON Schema, apply (idempotent, all or
nothing, a dry run that saves nothing) and the review rules hand edits follow."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema

from devhub_gql.models import AppExtension
from tests.support import (
    Account,
    GraphQLClient,
    count_statements,
    create_app,
    error_codes,
    make_reviewer,
    published_app,
    sign_up,
)
from tests.test_extensions import VALID, added, read
from tests.test_query_counts import assert_statement_count

ROOT = Path(__file__).resolve().parents[1]
EXPORT = "query E($id: ID!) { appManifest(appId: $id) }"
APPLY = """
mutation A($input: ApplyAppManifestInput!) {
  applyAppManifest(input: $input) {
    changed dryRun live
    diff { scopesAdded scopesRemoved fields { field old new }
      extensionsAdded { id kind name } extensionsRemoved { id name }
      extensionsChanged { extension { id } fields { field old new } } }
    app { name summary scopes { name } }
    userErrors { field code message }
  }
}
"""


async def export(gql: GraphQLClient, who: Account, app_id: str) -> dict[str, Any]:
    return (await gql.data(EXPORT, {"id": app_id}, token=who.token))["appManifest"]


async def apply(
    gql: GraphQLClient, who: Account, app_id: str, manifest: Any, *, dry_run: bool = False
) -> dict[str, Any]:
    variables = {"input": {"appId": app_id, "manifest": manifest, "dryRun": dry_run}}
    return (await gql.data(APPLY, variables, token=who.token))["applyAppManifest"]


async def test_the_manifest_schema_is_published_and_committed(http: httpx.AsyncClient) -> None:
    from devhub_gql.domain.manifests import manifest_schema

    response = await http.get("/schemas/app-manifest.v1.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/schema+json"
    assert response.json() == manifest_schema()
    committed = json.loads((ROOT / "schema" / "app-manifest.v1.json").read_text())
    assert committed == manifest_schema(), (
        "schema/app-manifest.v1.json is stale: run `make schema` and commit it"
    )
    jsonschema.Draft202012Validator.check_schema(committed)


async def test_export_then_apply_is_idempotent_and_never_shows_a_secret(
    gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    developer = await sign_up(gql, "dev@example.com")
    app_id = (await create_app(gql, developer))["app"]["id"]
    secret = "a panel secret of at least 32 characters"
    await added(gql, developer, app_id, "JSON_PANEL", **VALID["JSON_PANEL"] | {"jwtSecret": secret})
    manifest = await export(gql, developer, app_id)
    schema = (await http.get("/schemas/app-manifest.v1.json")).json()
    jsonschema.validate(manifest, schema)
    assert manifest["listing"]["name"] == "Deal Sync"
    assert manifest["scopes"] == ["base"]
    assert manifest["extensions"][0]["kind"] == "JSON_PANEL"
    assert secret not in json.dumps(manifest) and "basic-password" not in json.dumps(manifest)
    stored = [row.definition for row in await AppExtension.all()]

    again = await apply(gql, developer, app_id, manifest)
    assert (again["changed"], again["userErrors"]) == (False, [])
    assert [row.definition for row in await AppExtension.all()] == stored  # secrets kept

    # Giving the same secret again is no change either.
    manifest["extensions"][0]["jwtSecret"] = secret
    assert (await apply(gql, developer, app_id, manifest))["changed"] is False


async def test_a_manifest_changes_listing_scopes_and_extensions_and_a_dry_run_saves_nothing(
    gql: GraphQLClient,
) -> None:
    developer = await sign_up(gql, "dev@example.com")
    app_id = (await create_app(gql, developer))["app"]["id"]
    kept = await added(gql, developer, app_id, "LINK_ACTION", **VALID["LINK_ACTION"])
    await added(gql, developer, app_id, "CUSTOM_PANEL", **VALID["CUSTOM_PANEL"])
    manifest = await export(gql, developer, app_id)
    wanted = copy.deepcopy(manifest)
    wanted["listing"]["summary"] = "Keeps deals in sync."
    wanted["scopes"] = ["base", "deals:read"]
    wanted["extensions"] = [
        manifest["extensions"][0] | {"name": "Open it"},  # changed, matched by id
        {"kind": "FLOATING_WINDOW", **{k: v for k, v in VALID["FLOATING_WINDOW"].items()}},
    ]  # the custom panel is left out: removed

    dry = await apply(gql, developer, app_id, wanted, dry_run=True)
    assert dry["userErrors"] == [] and dry["changed"] is True and dry["dryRun"] is True
    diff = dry["diff"]
    assert diff["scopesAdded"] == ["deals:read"]
    assert diff["fields"] == [{"field": "summary", "old": None, "new": "Keeps deals in sync."}]
    assert [e["kind"] for e in diff["extensionsAdded"]] == ["FLOATING_WINDOW"]
    assert [e["name"] for e in diff["extensionsRemoved"]] == ["Timeline"]
    assert diff["extensionsChanged"] == [
        {
            "extension": {"id": kept},
            "fields": [{"field": "name", "old": "Open in Deal Sync", "new": "Open it"}],
        }
    ]
    assert await export(gql, developer, app_id) == manifest  # nothing saved

    done = await apply(gql, developer, app_id, wanted)
    for answer in (dry, done):  # a new extension's id is made when it is added
        for extension in answer["diff"]["extensionsAdded"]:
            assert extension.pop("id").startswith("ext_")
    assert done["diff"] == diff and done["live"] is True
    assert done["app"]["summary"] == "Keeps deals in sync."
    assert [s["name"] for s in done["app"]["scopes"]] == ["base", "deals:read"]
    names = [e["name"] for e in (await read(gql, developer, app_id))["extensions"]]
    assert names == ["Open it", "Dialer"]
    # Applying again matches the new window by kind and name: nothing changes.
    assert (await apply(gql, developer, app_id, wanted))["changed"] is False


async def test_a_bad_manifest_is_refused_whole_with_every_problem(gql: GraphQLClient) -> None:
    developer = await sign_up(gql, "dev@example.com")
    app_id = (await create_app(gql, developer))["app"]["id"]
    manifest = await export(gql, developer, app_id)

    not_a_manifest = await apply(gql, developer, app_id, {"version": 2, "colour": "red"})
    assert error_codes(not_a_manifest) == [
        ("manifest", "INVALID_SCHEMA"),
        ("manifest", "INVALID_SCHEMA"),
    ]
    assert {e["message"].split(":")[0] for e in not_a_manifest["userErrors"]} == {
        "$",
        "$.version",
    }

    bad = copy.deepcopy(manifest)
    bad["listing"]["summary"] = "A fine summary"
    bad["listing"]["websiteUrl"] = "not a url"
    bad["extensions"] = [
        {"kind": "CUSTOM_PANEL", **VALID["CUSTOM_PANEL"], "height": 20},
        {"kind": "LINK_ACTION", **VALID["LINK_ACTION"], "url": "http://example.com"},
    ]
    refused = await apply(gql, developer, app_id, bad)
    assert sorted(error_codes(refused)) == [
        ("extensions[0].height", "OUT_OF_RANGE"),
        ("extensions[1].url", "HTTPS_REQUIRED"),
        ("listing.websiteUrl", "INVALID_URL"),
    ]
    assert await export(gql, developer, app_id) == manifest  # the good summary was not saved

    other = (await create_app(gql, developer, name="Other"))["app"]["id"]
    wrong_app = await apply(gql, developer, other, manifest)
    assert error_codes(wrong_app) == [("manifest.app.clientId", "NOT_ALLOWED_HERE")]


async def test_on_a_published_app_a_manifest_follows_the_review_rules(
    gql: GraphQLClient, backoffice: GraphQLClient
) -> None:
    developer = await sign_up(gql, "dev@example.com")
    reviewer = await make_reviewer(gql)
    app_id = await published_app(gql, backoffice, developer, reviewer)
    manifest = await export(gql, developer, app_id)
    manifest["listing"]["summary"] = "Now with a panel."  # not critical: live at once
    manifest["listing"]["callbackUrl"] = "https://dealsync.example.com/v2/callback"  # critical
    manifest["extensions"] = [{"kind": "CUSTOM_PANEL", **VALID["CUSTOM_PANEL"]}]
    applied = await apply(gql, developer, app_id, manifest)
    assert applied["userErrors"] == [] and applied["live"] is False
    assert applied["app"]["summary"] == "Now with a panel."
    app = await read(gql, developer, app_id)
    assert app["extensions"] == []
    assert [e["name"] for e in app["pendingRevision"]["diff"]["extensionsAdded"]] == ["Timeline"]
    assert (await apply(gql, developer, app_id, manifest))["changed"] is False
    # The export shows what was last saved, pending values included.
    exported = await export(gql, developer, app_id)
    assert exported["listing"]["callbackUrl"] == "https://dealsync.example.com/v2/callback"
    assert [e["name"] for e in exported["extensions"]] == ["Timeline"]


async def test_only_the_apps_company_exports_or_applies(gql: GraphQLClient) -> None:
    developer = await sign_up(gql, "dev@example.com")
    app_id = (await create_app(gql, developer))["app"]["id"]
    manifest = await export(gql, developer, app_id)
    other = await sign_up(gql, "other@example.com", company="Other")
    assert await gql.error_code(EXPORT, {"id": app_id}, token=other.token) == "NOT_FOUND"
    body = await gql.post(
        APPLY, {"input": {"appId": app_id, "manifest": manifest}}, token=other.token
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_an_export_costs_a_fixed_number_of_statements(gql: GraphQLClient) -> None:
    developer = await sign_up(gql, "dev@example.com")
    app_id = (await create_app(gql, developer))["app"]["id"]
    counts = []
    for _ in range(2):  # with one extension, then with three
        with count_statements() as counted:
            await export(gql, developer, app_id)
        counts.append(len(counted.statements))
        assert_statement_count("appManifest", counted)
        for kind in ("LINK_ACTION", "CUSTOM_MODAL"):
            await added(gql, developer, app_id, kind, **VALID[kind])
    assert counts[0] == counts[1]
