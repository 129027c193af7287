"""App extensions: how the developer sees them, the inputs that add and change them, and what
opening one gives the platform's front end."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from devhub_gql.domain import extensions as x
from schema.enums import described_enum
from schema.errors import UserErrorType, user_errors_field
from schema.scopes import COMPANY, PUBLIC

ExtensionKind = described_enum(
    x.ExtensionKind,
    description="What an extension is, and so which fields it takes and where it may go.",
    values={
        x.ExtensionKind.LINK_ACTION: "An actions-menu item that opens the app's URL in a new tab.",
        x.ExtensionKind.JSON_MODAL: "An actions-menu item opening a modal the CRM draws from "
        "jsonSchema (blocks and actions), talking to the app's endpoint.",
        x.ExtensionKind.CUSTOM_MODAL: "A modal showing the app's own page in an iframe; without "
        "locations it opens only from the app's other extensions.",
        x.ExtensionKind.JSON_PANEL: "A detail view's sidebar panel the CRM draws from the data "
        "the app's endpoint answers, shaped by jsonSchema.",
        x.ExtensionKind.CUSTOM_PANEL: "A detail view's sidebar panel showing the app's own page "
        "in an iframe.",
        x.ExtensionKind.FLOATING_WINDOW: "A window over every page, opened from the apps dock "
        "or a phone number; listed among the app's interactive features.",
        x.ExtensionKind.SETTINGS_PAGE: "The app's settings: an external link or a page in an "
        "iframe.",
    },
)
ExtensionLocation = described_enum(
    x.Location,
    name="ExtensionLocation",
    description="A view of the CRM an extension can be placed in. Panels go in detail views "
    "only; list-view menu items show once at least one row is selected.",
    values={
        x.Location.DEAL_DETAILS: "A deal's detail view.",
        x.Location.PERSON_DETAILS: "A person's detail view.",
        x.Location.ORGANIZATION_DETAILS: "An organization's detail view.",
        x.Location.DEALS_LIST: "The deals list.",
        x.Location.PEOPLE_LIST: "The people list.",
        x.Location.ORGANIZATIONS_LIST: "The organizations list.",
        x.Location.ACTIVITIES_LIST: "The activities list (activities have no detail view).",
    },
)
ExtensionEntryPoint = described_enum(
    x.EntryPoint,
    name="ExtensionEntryPoint",
    description="Where a floating window opens from.",
    values={
        x.EntryPoint.TOP_BAR: "The apps dock in the top bar (the default).",
        x.EntryPoint.PHONE_NUMBER: "Phone numbers and the Calls tab, for communication apps.",
    },
)
SettingsType = described_enum(
    x.SettingsType,
    name="SettingsPageType",
    description="How an app's settings page is shown.",
    values={
        x.SettingsType.EXTERNAL_LINK: "A link to a page on the app's site.",
        x.SettingsType.CUSTOM_UI: "The app's page in an iframe inside the CRM, given a token.",
    },
)


@strawberry.type(
    description="A place an app adds itself to the CRM's interface. Secrets are never shown: "
    "only whether each is set.",
    directives=COMPANY,
)
class AppExtension:
    id: strawberry.ID = strawberry.field(description="The extension's id, stable across edits.")
    kind: ExtensionKind = strawberry.field(description="What it is.")  # type: ignore[valid-type]
    name: str | None = strawberry.field(
        description=f"≤ {x.NAME_MAX} characters; null only for a settings page."
    )
    description: str | None = strawberry.field(
        description=f"≤ {x.DESCRIPTION_MAX} characters, shown in the listing's features."
    )
    url: str = strawberry.field(
        description="The https URL opened (links, iframes, settings) or called (JSON kinds)."
    )
    locations: list[ExtensionLocation] = strawberry.field(  # type: ignore[valid-type]
        description="Where it is placed; empty for kinds without locations."
    )
    entry_points: list[ExtensionEntryPoint] = strawberry.field(  # type: ignore[valid-type]
        description="A floating window's entry points; empty for other kinds."
    )
    height: int | None = strawberry.field(description="Initial height in px, where it has one.")
    width: int | None = strawberry.field(description="Initial width in px, where it has one.")
    json_schema: JSON | None = strawberry.field(
        description="A JSON panel's data structure or a JSON modal's blocks and actions."
    )
    settings_type: SettingsType | None = strawberry.field(  # type: ignore[valid-type]
        description="A settings page's type."
    )
    http_username: str | None = strawberry.field(description="A JSON panel's HTTP Basic user name.")
    has_http_password: bool = strawberry.field(
        description="Whether a JSON panel's HTTP Basic password is set (it is never shown)."
    )
    has_jwt_secret: bool = strawberry.field(
        description="Whether the extension has its own JWT secret (never shown); without one "
        "its tokens are signed with the app's extensionSigningSecret."
    )

    @classmethod
    def of(cls, extension: x.Extension) -> AppExtension:
        shown = extension.shown()
        return cls(
            id=strawberry.ID(extension.key),
            kind=extension.kind,
            name=shown.get(x.NAME),
            description=shown.get(x.DESCRIPTION),
            url=shown[x.URL],
            locations=[x.Location(v) for v in shown.get(x.LOCATIONS, [])],
            entry_points=[x.EntryPoint(v) for v in shown.get(x.ENTRY_POINTS, [])],
            height=shown.get(x.HEIGHT),
            width=shown.get(x.WIDTH),
            json_schema=shown.get(x.JSON_SCHEMA),
            settings_type=shown.get(x.SETTINGS_TYPE),
            http_username=shown.get(x.HTTP_USERNAME),
            has_http_password=shown["has_http_password"],
            has_jwt_secret=shown["has_jwt_secret"],
        )


@strawberry.type(
    description="An extension as the marketplace lists it, among the app's features.",
    directives=PUBLIC,
)
class AppFeature:
    kind: ExtensionKind = strawberry.field(description="What it is.")  # type: ignore[valid-type]
    name: str = strawberry.field(description="The extension's name.")
    description: str | None = strawberry.field(description="The extension's description.")
    interactive: bool = strawberry.field(
        description="Listed among the interactive features (a floating window)."
    )

    @classmethod
    def of(cls, feature: x.Feature) -> AppFeature:
        return cls(
            kind=feature.kind,
            name=feature.name,
            description=feature.description,
            interactive=feature.interactive,
        )


def _fields(source: Any) -> dict[str, Any]:
    """The definition fields an input gives: unset ones are left out, null ones kept (null
    clears an optional field or removes a secret)."""
    return {
        name: getattr(source, name)
        for name in x.ALL_FIELDS
        if getattr(source, name, strawberry.UNSET) is not strawberry.UNSET
    }


@strawberry.input(description="The fields of an extension; which ones a kind takes is in its docs.")
class AppExtensionFields:
    name: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"Required, ≤ {x.NAME_MAX} characters (a settings page has none).",
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"≤ {x.DESCRIPTION_MAX} characters; required for a floating window.",
    )
    url: str | None = strawberry.field(
        default=strawberry.UNSET, description="Required; https only."
    )
    locations: list[ExtensionLocation] | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET,
        description="Menu items and panels: at least one (custom modals may have none). Panels "
        "go in detail views only.",
    )
    entry_points: list[ExtensionEntryPoint] | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="Floating window only; TOP_BAR when omitted."
    )
    height: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="Custom panel 100 to 750 px; custom modal ≥ 120; floating window 70 to 700.",
    )
    width: int | None = strawberry.field(
        default=strawberry.UNSET, description="Custom modal ≥ 320 px; floating window 200 to 800."
    )
    json_schema: JSON | None = strawberry.field(
        default=strawberry.UNSET,
        description="Required for JSON panels (data structure) and JSON modals (blocks, "
        "actions); checked against the published rules, each problem with its JSON path.",
    )
    settings_type: SettingsType | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="Settings page only; required."
    )
    http_username: str | None = strawberry.field(
        default=strawberry.UNSET, description="JSON panel: HTTP Basic user name."
    )
    http_password: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="JSON panel: HTTP Basic password; stored encrypted, never shown. A panel "
        "needs Basic credentials, a JWT secret, or both.",
    )
    jwt_secret: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Signs the extension's tokens instead of the app's extensionSigningSecret; "
        "stored encrypted, never shown. Null removes it.",
    )

    def given(self) -> dict[str, Any]:
        return _fields(self)


@strawberry.input(description="A new extension for an app.")
class AddAppExtensionInput:
    app_id: strawberry.ID = strawberry.field(description="The app's id.")
    kind: ExtensionKind = strawberry.field(description="What it is.")  # type: ignore[valid-type]
    fields: AppExtensionFields = strawberry.field(description="Its fields.")


@strawberry.input(description="Change some fields of an extension; the kind stays.")
class UpdateAppExtensionInput:
    app_id: strawberry.ID = strawberry.field(description="The app's id.")
    extension_id: strawberry.ID = strawberry.field(description="The extension's id.")
    fields: AppExtensionFields = strawberry.field(
        description="The fields to change; omitted ones stay, null clears an optional one."
    )


@strawberry.input(description="Remove an extension.")
class RemoveAppExtensionInput:
    app_id: strawberry.ID = strawberry.field(description="The app's id.")
    extension_id: strawberry.ID = strawberry.field(description="The extension's id.")


@strawberry.type(
    description="An extension saved: live at once on a draft or a live private app; on an "
    "approved or published app it waits in the pending revision (see app.pendingRevision)."
)
class AppExtensionPayload:
    extension: AppExtension | None = strawberry.field(
        default=None, description="The extension as saved; null when refused or removed."
    )
    live: bool = strawberry.field(
        default=False, description="Whether the change is live now (false: pending review)."
    )
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.input(description="Which extension to check.")
class CheckAppExtensionInput:
    app_id: strawberry.ID = strawberry.field(description="The app's id.")
    extension_id: strawberry.ID = strawberry.field(description="The extension's id.")


@strawberry.type(description="What the automated check of one extension found.")
class CheckAppExtensionPayload:
    passed: bool = strawberry.field(
        default=False, description="Whether it would pass the check made at submission."
    )
    problems: list[str] = strawberry.field(
        default_factory=list,
        description="Every problem: a page that does not answer over https, a JSON panel "
        "endpoint that is slow, fails, or answers data its schema refuses (each with its "
        "JSON path).",
    )
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.input(description="Where in the CRM the user opens an extension.")
class ExtensionContextInput:
    location: ExtensionLocation | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The view it is opened from; none for a floating window."
    )
    selected_ids: list[str] = strawberry.field(
        default_factory=list, description="The record shown, or the rows picked in a list."
    )
    excluded_ids: list[str] = strawberry.field(
        default_factory=list, description="List views: rows unticked after select-all."
    )
    filter: str | None = strawberry.field(
        default=None, description='List views: the list\'s filter as JSON, e.g. {"filter_id":42}.'
    )


@strawberry.input(description="Open an extension for the signed-in user.")
class OpenAppExtensionInput:
    extension_id: strawberry.ID = strawberry.field(description="The extension's id.")
    context: ExtensionContextInput = strawberry.field(
        default_factory=ExtensionContextInput, description="Where it is opened."
    )


@strawberry.type(description="What the CRM opens for an extension.")
class OpenAppExtensionPayload:
    url: str | None = strawberry.field(
        default=None,
        description="The extension's URL with the context: userId, companyId, resource, view, "
        "selectedIds (and excludedIds, filter in lists), id for iframes, and token.",
    )
    token: str | None = strawberry.field(
        default=None,
        description="A JWT (HS256) with userId, companyId, clientId, iat, exp and the extension "
        "id as audience, signed with the extension's JWT secret or the app's "
        "extensionSigningSecret; valid 5 minutes.",
    )
    expires_at: datetime | None = strawberry.field(default=None, description="When it expires.")
    user_errors: list[UserErrorType] = user_errors_field()
