"""Mutation payloads: the result fields are null when `userErrors` is not empty."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from schema.errors import UserErrorType
from schema.types import App, Installation, Submission, User


def user_errors_field() -> Any:
    """The `userErrors` of every payload, in both schemas."""
    return strawberry.field(
        default_factory=list,
        description="Why the mutation was refused, one entry per problem; empty when it "
        "succeeded. A refused mutation changes nothing.",
    )


@strawberry.type(description="A sign-in session; the token is shown only here.")
class Session:
    token: str = strawberry.field(description="Send as 'Authorization: Bearer <token>'.")
    expires_at: datetime = strawberry.field(
        description="When the token stops working: 14 days after sign-in unless the operator "
        "chose otherwise."
    )


@strawberry.type(description="The signed-in user and their new session; null when refused.")
class SignInPayload:
    user: User | None = strawberry.field(default=None, description="The signed-in user.")
    session: Session | None = strawberry.field(
        default=None, description="The new session, with its token."
    )
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.type(description="What signing out ended.")
class SignOutPayload:
    signed_out: bool = strawberry.field(
        default=False, description="True: the session (with everywhere, every session) is ended."
    )
    sessions_ended: int = strawberry.field(
        default=0, description="How many sessions ended: 1, or with everywhere all that were open."
    )
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.type(description="The member added to the viewer's company.")
class AddCompanyMemberPayload:
    user: User | None = strawberry.field(
        default=None, description="The new member; null when refused."
    )
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.type(description="The app after the change.")
class AppPayload:
    app: App | None = strawberry.field(
        default=None, description="The app as it is now; null when refused."
    )
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.type(description="The app and its new client secret, which is shown only here.")
class AppWithSecretPayload:
    app: App | None = strawberry.field(
        default=None, description="The app as it is now; null when refused."
    )
    client_secret: str | None = strawberry.field(
        default=None, description="Shown once; only its digest is stored."
    )
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.type(description="The app and the submission a reviewer will decide on.")
class SubmitAppForReviewPayload:
    app: App | None = strawberry.field(
        default=None,
        description="The app: IN_REVIEW after a listing, its status unchanged after a revision.",
    )
    submission: Submission | None = strawberry.field(
        default=None, description="What was sent to review, frozen; null when refused."
    )
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.type(description="Which app was deleted.")
class DeleteAppPayload:
    deleted_app_id: strawberry.ID | None = strawberry.field(
        default=None, description="The id of the deleted app; null when refused."
    )
    user_errors: list[UserErrorType] = user_errors_field()


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
