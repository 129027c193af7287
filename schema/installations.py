"""Installations: the consent screen, the viewer's installed apps, and uninstalling."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from devhub_gql import models as m
from devhub_gql.domain import installations
from devhub_gql.domain.installations import RefusalCode
from schema.accounts import User
from schema.analytics import UninstallReason
from schema.catalogue import Scope
from schema.context import Info
from schema.enums import described_enum
from schema.errors import UserErrorType, user_errors_field
from schema.scopes import VIEWER


@strawberry.type(
    description="An app as a customer sees it before and after installing it.", directives=VIEWER
)
class AppListing:
    name: str = strawberry.field(description="The app's name.")
    icon_url: str | None = strawberry.field(description="The icon's URL; null when not set.")
    summary: str | None = strawberry.field(description="The one-line pitch; null when not set.")
    developer_name: str = strawberry.field(description="The company that develops the app.")


InstallRefusalCode = described_enum(
    RefusalCode,
    name="InstallRefusalCode",
    description="Why a user may not install an app that they may see.",
    values={
        RefusalCode.ADMIN_REQUIRED: "The app asks for the `admin` scope and the user is no "
        "company admin.",
        RefusalCode.INVALID_AUTHORIZATION_REQUEST: "The install request's PKCE method is not S256.",
    },
)


@strawberry.type(description="Why the viewer cannot install the app.", directives=VIEWER)
class InstallRefusal:
    code: InstallRefusalCode = strawberry.field(  # type: ignore[valid-type]
        description="The kind of refusal, for programs to act on."
    )
    message: str = strawberry.field(description="The reason, to show the user.")


@strawberry.type(description="What the consent screen shows.", directives=VIEWER)
class AuthorizationRequest:
    app: AppListing = strawberry.field(description="The app that asks to be installed.")
    scopes: list[Scope] = strawberry.field(description="All granted together, or none.")
    already_installed: bool = strawberry.field(
        description="The user has it installed: allowing again grants the current scopes and "
        "issues new tokens."
    )
    refusal: InstallRefusal | None = strawberry.field(
        description="Why the user may not install it; null when they may."
    )

    @strawberry.field(description="True when `refusal` is null: the screen may offer Allow.")
    def can_install(self) -> bool:
        return self.refusal is None


@strawberry.type(description="An app installed by a user.", directives=VIEWER)
class Installation(relay.Node):
    installation_id: relay.NodeID[int]
    installed_at: datetime = strawberry.field(
        description="When the user first installed the app; installing again keeps it."
    )
    updated_at: datetime = strawberry.field(
        description="When it last changed: installed again, uninstalled, or the app's scopes grew."
    )
    uninstalled_at: datetime | None = strawberry.field(
        description="When it was uninstalled; null while installed."
    )
    granted_scope_names: strawberry.Private[list[str]]
    app_pk: strawberry.Private[int]
    user_pk: strawberry.Private[int]

    @strawberry.field(
        description="The app now asks for more than the user granted (its scopes grew since "
        "they consented): until they install again, its tokens carry only what they granted."
    )
    async def needs_reauthorization(self, info: Info) -> bool:
        live = await info.context.loaders.app_scopes.load(self.app_pk)
        return installations.needs_reauthorization(self.granted_scope_names, live)

    @strawberry.field(description="The scopes the user granted.")
    def scopes(self) -> list[Scope]:
        return Scope.listed(self.granted_scope_names)

    @strawberry.field(description="The installed app, as the user sees it.")
    async def app(self, info: Info) -> AppListing:
        app = await info.context.loaders.app_view.load(self.app_pk)
        assert app is not None  # installations keep their app (RESTRICT)
        return AppListing(
            name=app.listing["name"],
            icon_url=app.listing["icon_url"],
            summary=app.listing["summary"],
            developer_name=app.company_name,
        )

    @strawberry.field(description="Who installed it.")
    async def user(self, info: Info) -> User:
        found = await info.context.loaders.user.load(self.user_pk)
        assert found is not None  # installations keep their user (RESTRICT)
        return User.from_model(found)

    @classmethod
    def from_model(cls, row: m.Installation) -> Installation:
        return cls(
            installation_id=row.id,
            installed_at=row.installed_at,
            updated_at=row.updated_at,
            uninstalled_at=row.uninstalled_at,
            granted_scope_names=list(row.scopes),
            app_pk=row.app_id,
            user_pk=row.user_id,
        )


@strawberry.input(description="The parameters /oauth/authorize passed on to the consent screen.")
class AuthorizationInput:
    client_id: str = strawberry.field(description="The app's client id.")
    redirect_uri: str | None = strawberry.field(
        default=None,
        description="When given, it must be the app's callback URL; left out, the callback URL.",
    )
    state: str | None = strawberry.field(
        default=None, description="The app's value, handed back unchanged in the redirect."
    )
    code_challenge: str | None = strawberry.field(
        default=None, description="PKCE: the app's code challenge, when it uses PKCE."
    )
    code_challenge_method: str | None = strawberry.field(
        default=None, description="PKCE: must be S256 when a code challenge is given."
    )


@strawberry.input(description="Removes an installation; the app is notified.")
class UninstallAppInput:
    installation_id: strawberry.ID = strawberry.field(
        description="The installation's id: the viewer's own, or any of the company's for an admin."
    )
    reason: UninstallReason | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="Why, if the user says: the developer sees how many gave each reason, never "
        "who.",
    )
    reason_text: str | None = strawberry.field(
        default=None, description="More words on why, ≤ 500 characters; needs a reason."
    )


@strawberry.type(description="Where the consent screen sends the browser next.")
class AuthorizationPayload:
    redirect_url: str | None = strawberry.field(
        default=None, description="Send the browser here: the app's callback URL."
    )
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.type(description="The installation after uninstalling it.")
class UninstallAppPayload:
    installation: Installation | None = strawberry.field(
        default=None, description="The installation, now uninstalled; null when refused."
    )
    user_errors: list[UserErrorType] = user_errors_field()
