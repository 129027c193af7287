"""An app's definition as one JSON document (its manifest): exported, and applied back.

A developer keeps the manifest in their own repository and applies it from CI. Applying makes the
app match it through the same commands and rules as hand edits (validation, the pending revision
of an approved or published app, the per-app extension limits), in one transaction: all of it or
none of it. A dry run does the same and rolls back, so its diff is exactly what applying would do.

What a manifest holds, and how it is matched:
- `listing`: listing fields by their API names; a field left out is left as it is.
- `scopes`: the whole scope set, when given.
- `extensions`: the whole list, when given: an entry with an `id` changes that extension, one
  without is matched by kind and name, and extensions not listed are removed. Secrets are never
  exported; an entry may set `jwtSecret` or `httpPassword`, and without them a matched extension
  keeps its own.
- `app`: the app's type and client id, exported so a manifest cannot be applied to another app
  by mistake; they are checked, never changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # no type hints

from devhub_gql import events
from devhub_gql.domain import apps, extension_edits, revisions
from devhub_gql.domain.accounts import Viewer
from devhub_gql.domain.catalog import CATEGORY_SLUGS, SCOPE_NAMES
from devhub_gql.domain.errors import ErrorCode, UserError, UserErrors
from devhub_gql.domain.extensions import (
    ALL_FIELDS,
    NAME,
    SECRET_FIELDS,
    EntryPoint,
    Extension,
    ExtensionKind,
    Location,
    SettingsType,
    as_list,
    as_text,
    definition_of,
    diff,
    new_key,
)
from devhub_gql.domain.listing import FIELDS, LISTING, Kind, ListingField, values_of
from devhub_gql.models import App, AppType

MANIFEST_VERSION = 1
SCHEMA_PATH = f"/schemas/app-manifest.v{MANIFEST_VERSION}.json"
MANIFEST = "manifest"  # the input field problems are reported on


def _camel(name: str) -> str:
    """The API's name of a field: listing_image_urls -> listingImageUrls."""
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


# API name -> field name, for the listing and for extensions.
_LISTING_NAMES = {_camel(field.name): field.name for field in LISTING}
_EXTENSION_NAMES = {_camel(name): name for name in ALL_FIELDS}


def _nullable(schema: dict[str, Any], field: ListingField) -> dict[str, Any]:
    return schema if field.always_set else {"anyOf": [schema, {"type": "null"}]}


def _field_schema(field: ListingField) -> dict[str, Any]:
    match field.kind:
        case Kind.FLAG:
            return {"type": "boolean", "description": field.description}
        case Kind.URL_LIST:
            items: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
            if field.max_items is not None:
                items["maxItems"] = field.max_items
            return {**items, "description": field.description}
        case Kind.CATEGORY:
            return _nullable({"enum": sorted(CATEGORY_SLUGS)}, field) | {
                "description": field.description
            }
    text: dict[str, Any] = {"type": "string"}
    if field.max_length is not None:
        text["maxLength"] = field.max_length
    return _nullable(text, field) | {"description": field.description}


def _extension_schema() -> dict[str, Any]:
    text = {"type": ["string", "null"]}
    return {
        "type": "object",
        "required": ["kind"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "maxLength": 40, "description": "As exported."},
            "kind": {"enum": [kind.value for kind in ExtensionKind]},
            "name": text,
            "description": text,
            "url": text,
            "locations": {"type": "array", "items": {"enum": [v.value for v in Location]}},
            "entryPoints": {"type": "array", "items": {"enum": [v.value for v in EntryPoint]}},
            "height": {"type": ["integer", "null"]},
            "width": {"type": ["integer", "null"]},
            "jsonSchema": {"description": "A JSON panel's data structure or a modal's schema."},
            "settingsType": {"enum": [*(v.value for v in SettingsType), None]},
            "httpUsername": text,
            "httpPassword": {**text, "description": "Never exported."},
            "jwtSecret": {**text, "description": "Never exported."},
        },
    }


def manifest_schema() -> dict[str, Any]:
    """The JSON Schema of a manifest, published at SCHEMA_PATH and in the repository."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "DevHub app manifest",
        "type": "object",
        "required": ["version"],
        "additionalProperties": False,
        "properties": {
            "$schema": {"type": "string"},
            "version": {"const": MANIFEST_VERSION},
            "app": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "type": {"enum": [t.value for t in AppType]},
                    "clientId": {"type": "string"},
                },
            },
            "listing": {
                "type": "object",
                "additionalProperties": False,
                "properties": {_camel(f.name): _field_schema(f) for f in LISTING},
            },
            "scopes": {
                "type": "array",
                "items": {"enum": sorted(SCOPE_NAMES)},
                "uniqueItems": True,
            },
            "extensions": {"type": "array", "items": _extension_schema()},
        },
    }


_VALIDATOR = Draft202012Validator(manifest_schema())


def _path(parts: Sequence[Any]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def schema_problems(document: Any) -> list[UserError]:
    errors = sorted(_VALIDATOR.iter_errors(document), key=lambda e: list(map(str, e.path)))
    return [
        UserError(MANIFEST, ErrorCode.INVALID_SCHEMA, f"{_path(e.absolute_path)}: {e.message}")
        for e in errors[:50]
    ]


# The working state: what the developer last saved, pending or live ---------------------------


@dataclass(frozen=True)
class State:
    listing: dict[str, Any]
    scopes: list[str]
    extensions: list[Extension]


async def working_state(app: App) -> State:
    revision = await revisions.open_revision(app.id)
    pending = revision.changes if revision else {}
    listing = {**values_of(app), **{k: v for k, v in pending.items() if k in FIELDS}}
    scopes = pending.get(revisions.SCOPES) or await revisions.live_scopes(app.id)
    return State(listing, list(scopes), await extension_edits.working_extensions(app))


def state_diff(before: State, after: State) -> dict[str, Any]:
    """In the shape of a revision's diff, over every listing field."""
    old_scopes, new_scopes = set(before.scopes), set(after.scopes)
    return {
        "scopes_added": [s for s in after.scopes if s not in old_scopes],
        "scopes_removed": [s for s in before.scopes if s not in new_scopes],
        "fields": [
            {
                "field": field.name,
                "old": as_text(before.listing[field.name]),
                "new": as_text(after.listing[field.name]),
            }
            for field in LISTING
            if before.listing[field.name] != after.listing[field.name]
        ],
        **diff(as_list(before.extensions), as_list(after.extensions)),
    }


# Export and apply ------------------------------------------------------------------------------


def _exported_extension(extension: Extension) -> dict[str, Any]:
    return {
        "id": extension.key,
        "kind": extension.kind.value,
        **{
            _camel(name): extension.definition[name]
            for name in ALL_FIELDS
            if name in extension.definition and name not in SECRET_FIELDS
        },
    }


async def export(viewer: Viewer, app_id: int, *, schema_url: str) -> dict[str, Any]:
    """The app as the developer last saved it (the pending revision's values where one is
    open), without secrets."""
    app = await apps.get_app(viewer, app_id)
    state = await working_state(app)
    return {
        "$schema": schema_url,
        "version": MANIFEST_VERSION,
        "app": {"type": app.type.value, "clientId": app.client_id},
        "listing": {_camel(name): value for name, value in state.listing.items()},
        "scopes": state.scopes,
        "extensions": [_exported_extension(e) for e in state.extensions],
    }


@dataclass(frozen=True)
class Applied:
    diff: dict[str, Any]
    changed: bool
    live: bool  # the changes took effect (false: they wait in the pending revision)


class _DryRun(Exception):
    """Raised to roll a dry run's transaction back, carrying what it would have done."""

    def __init__(self, applied: Applied) -> None:
        self.applied = applied


def _desired_extensions(
    entries: Sequence[Mapping[str, Any]],
    current: Sequence[Extension],
    *,
    secret_key: str,
    allow_private: bool,
) -> tuple[list[Extension], list[UserError]]:
    by_key = {e.key: e for e in current}
    by_name = {(e.kind.value, e.definition.get(NAME)): e for e in current}
    desired: list[Extension] = []
    problems: list[UserError] = []
    for index, entry in enumerate(entries):
        kind = ExtensionKind(entry["kind"])
        # Whole: fields left out are cleared; secrets left out are kept.
        given = {_EXTENSION_NAMES[k]: v for k, v in entry.items() if k not in ("id", "kind")}
        match = by_key.get(entry["id"]) if "id" in entry else by_name.get((kind, given.get(NAME)))
        if "id" in entry and match is None:
            problems.append(
                UserError(
                    f"extensions[{index}].id",
                    ErrorCode.NOT_ALLOWED_HERE,
                    "No extension of this app has this id; leave it out to add one.",
                )
            )
            continue
        if match is not None and match.kind != kind:
            problems.append(
                UserError(
                    f"extensions[{index}].kind",
                    ErrorCode.NOT_ALLOWED_HERE,
                    "An extension's kind cannot change; remove it and add another.",
                )
            )
            continue
        kept = match.definition if match else {}
        stored = {k: v for k, v in kept.items() if k in SECRET_FIELDS}
        definition, found = definition_of(
            kind, given, stored, secret_key=secret_key, allow_private=allow_private
        )
        problems += [
            UserError(f"extensions[{index}].{p.field}" if p.field else None, p.code, p.message)
            for p in found
        ]
        desired.append(Extension(match.key if match else new_key(), kind, definition))
    return desired, problems


async def apply(
    viewer: Viewer,
    app_id: int,
    manifest: Any,
    *,
    dry_run: bool,
    secret_key: str,
    allow_private: bool,
    now: Any,
) -> Applied:
    if problems := schema_problems(manifest):
        raise UserErrors(problems)
    try:
        async with events.transaction():
            applied = await _apply(
                viewer,
                app_id,
                manifest,
                secret_key=secret_key,
                allow_private=allow_private,
                now=now,
            )
            if dry_run:
                raise _DryRun(applied)
    except _DryRun as rolled_back:
        return rolled_back.applied
    return applied


async def _apply(
    viewer: Viewer,
    app_id: int,
    manifest: Mapping[str, Any],
    *,
    secret_key: str,
    allow_private: bool,
    now: Any,
) -> Applied:
    app = await apps.get_app(viewer, app_id)
    identity = manifest.get("app", {})
    problems = [
        UserError(f"{MANIFEST}.app.{key}", ErrorCode.NOT_ALLOWED_HERE, message)
        for key, live, message in (
            ("type", app.type.value, "The manifest is for an app of another type."),
            ("clientId", app.client_id, "The manifest is for another app."),
        )
        if key in identity and identity[key] != live
    ]
    if problems:
        raise UserErrors(problems)
    before = await working_state(app)
    listing = {_LISTING_NAMES[k]: v for k, v in manifest.get("listing", {}).items()}
    changes = {k: v for k, v in listing.items() if v != before.listing[k]}
    scopes = manifest.get("scopes")
    if scopes is not None and set(scopes) == set(before.scopes):
        scopes = None
    if changes or scopes is not None:
        try:
            await apps.update_app(viewer, app.id, changes=changes, scopes=scopes, now=now)
        except UserErrors as refused:
            problems += [
                UserError(f"listing.{e.field}" if e.field in FIELDS else e.field, e.code, e.message)
                for e in refused.errors
            ]
    if "extensions" in manifest:
        desired, found = _desired_extensions(
            manifest["extensions"],
            before.extensions,
            secret_key=secret_key,
            allow_private=allow_private,
        )
        problems += found
        if not problems and as_list(desired) != as_list(before.extensions):
            app = await apps.get_app(viewer, app.id)  # as update_app left it
            try:
                await extension_edits.save(app, desired, now, [])
            except UserErrors as refused:
                problems += refused.errors
    if problems:
        raise UserErrors(problems)
    app = await apps.get_app(viewer, app.id)
    after = await working_state(app)
    result = state_diff(before, after)
    pending = await revisions.open_revision(app.id)
    return Applied(
        diff=result,
        changed=not revisions.diff_is_empty(result),
        live=extension_edits.is_live(app) or pending is None,
    )
