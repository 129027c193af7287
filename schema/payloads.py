"""Mutation payloads: the result fields are null when `userErrors` is not empty."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.errors import UserErrorType
from schema.types import App, Installation, Submission, User


@strawberry.type(description="A sign-in session; the token is shown only here.")
class Session:
    token: str = strawberry.field(description="Send as 'Authorization: Bearer <token>'.")
    expires_at: datetime


@strawberry.type
class SignInPayload:
    user: User | None = None
    session: Session | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


@strawberry.type
class SignOutPayload:
    signed_out: bool = False
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


@strawberry.type
class AddCompanyMemberPayload:
    user: User | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


@strawberry.type
class AppPayload:
    app: App | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


@strawberry.type
class AppWithSecretPayload:
    app: App | None = None
    client_secret: str | None = strawberry.field(
        default=None, description="Shown once; only its digest is stored."
    )
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


@strawberry.type
class SubmitAppForReviewPayload:
    app: App | None = None
    submission: Submission | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteAppPayload:
    deleted_app_id: strawberry.ID | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


@strawberry.type
class AuthorizationPayload:
    redirect_url: str | None = strawberry.field(
        default=None, description="Send the browser here: the app's callback URL."
    )
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


@strawberry.type
class UninstallAppPayload:
    installation: Installation | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)
