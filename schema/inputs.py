"""Mutation inputs. In updates a field left out stays as it is, and null clears it."""

from __future__ import annotations

from typing import Any

import strawberry

from devhub_gql.domain.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from schema.types import AppType, CompanyKind, Role

APP_ID = "The app's id."
CRITICAL = " On an APPROVED or PUBLISHED app the change goes into the pending revision."
PASSWORD = (
    f"At least {MIN_PASSWORD_LENGTH} characters, at most {MAX_PASSWORD_LENGTH}, not only spaces."
)


def _unset(description: str) -> Any:
    """An UpdateAppInput field: left out, it stays as it is."""
    return strawberry.field(default=strawberry.UNSET, description=description)


@strawberry.input(description="A new company and its first user, who becomes its admin.")
class SignUpInput:
    email: str = strawberry.field(
        description="The new user's email address, to sign in with; no account may have it yet."
    )
    password: str = strawberry.field(description=PASSWORD)
    name: str = strawberry.field(description="The new user's name, ≤ 100 characters.")
    company_name: str = strawberry.field(description="The company's name, ≤ 100 characters.")
    company_kind: CompanyKind = strawberry.field(  # type: ignore[valid-type]
        default=CompanyKind.SANDBOX,
        description="SANDBOX to develop apps (the default), PRODUCTION only to install them.",
    )


@strawberry.input(description="The credentials of an account.")
class SignInInput:
    email: str = strawberry.field(description="The account's email address, in any letter case.")
    password: str = strawberry.field(description="The account's password.")


@strawberry.input(description="Ends the session the request is signed in with, or every one.")
class SignOutInput:
    everywhere: bool = strawberry.field(
        default=False,
        description="End every session of the signed-in user, on every device, not only this one.",
    )


@strawberry.input(description="A new user in the viewer's company.")
class AddCompanyMemberInput:
    email: str = strawberry.field(
        description="The member's email address, to sign in with; no account may have it yet."
    )
    name: str = strawberry.field(description="The member's name, ≤ 100 characters.")
    password: str = strawberry.field(description="The member's first password. " + PASSWORD)
    role: Role = strawberry.field(  # type: ignore[valid-type]
        default=Role.REGULAR, description="ADMIN or REGULAR (the default)."
    )


@strawberry.input(description="A new draft app: a name and a callback URL are all it needs.")
class CreateAppInput:
    type: AppType = strawberry.field(  # type: ignore[valid-type]
        description="PUBLIC or PRIVATE; it cannot be changed later."
    )
    name: str = strawberry.field(description="The app's name, ≤ 100 characters.")
    callback_url: str = strawberry.field(
        description="The one OAuth redirect URI, an absolute http(s) URL; review needs https."
    )


@strawberry.input(description="Only the fields given change; null clears an optional field.")
class UpdateAppInput:
    id: strawberry.ID = strawberry.field(description=APP_ID)
    name: str | None = _unset("The app's name, ≤ 100 characters; it cannot be cleared.")
    callback_url: str | None = _unset(
        "The one OAuth redirect URI, an absolute http(s) URL; it cannot be cleared." + CRITICAL
    )
    category: str | None = _unset("A category slug from `categories`." + CRITICAL)
    summary: str | None = _unset("A one-line pitch, ≤ 150 characters.")
    icon_url: str | None = _unset("The icon's absolute http(s) URL.")
    listing_image_urls: list[str] | None = _unset(
        "Every listing image's absolute http(s) URL, at most 5; the list replaces the old one."
    )
    description: str | None = _unset("The full description, ≤ 1,500 characters.")
    video_url: str | None = _unset("A YouTube video link.")
    setup_instructions: str | None = _unset(
        "How to set the app up once installed, ≤ 1,500 characters."
    )
    website_url: str | None = _unset("The app's website, an absolute http(s) URL.")
    terms_of_service_url: str | None = _unset("The terms of service, an absolute http(s) URL.")
    privacy_policy_url: str | None = _unset("The privacy policy, an absolute http(s) URL.")
    pricing_url: str | None = _unset("Where the prices are, an absolute http(s) URL.")
    support_url: str | None = _unset("Where users get help, an absolute http(s) URL.")
    documentation_url: str | None = _unset("The app's documentation, an absolute http(s) URL.")
    support_email: str | None = _unset("The address users write to for help.")
    contact_email: str | None = _unset("The developer's main contact address.")
    installation_url: str | None = _unset(
        "Where the marketplace's Install sends users instead of /oauth/authorize." + CRITICAL
    )
    use_case: str | None = _unset("For reviewers only: what the app is for, ≤ 350 characters.")
    test_account_notes: str | None = _unset(
        "For reviewers: how to try the app, e.g. a test account; ≤ 1,500 characters."
    )
    partner_terms_accepted: bool | None = _unset("Agreement to the partner terms; review needs it.")
    scopes: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="The whole scope set (names from `scopes`); it must include `base`." + CRITICAL,
    )


@strawberry.input(description="A new client secret for an app.")
class RotateClientSecretInput:
    id: strawberry.ID = strawberry.field(description=APP_ID)
    grace_period_hours: int = strawberry.field(
        default=24, description="How long the old secret keeps working: 0 to 168 hours."
    )


@strawberry.input(
    description="Sends a draft app, or an approved app's pending revision, to review."
)
class SubmitAppForReviewInput:
    id: strawberry.ID = strawberry.field(description=APP_ID)


@strawberry.input(description="Takes an app, or its pending revision, back from review.")
class WithdrawAppFromReviewInput:
    id: strawberry.ID = strawberry.field(description=APP_ID)


@strawberry.input(description="Lists an APPROVED public app in the marketplace.")
class PublishAppInput:
    id: strawberry.ID = strawberry.field(description=APP_ID)


@strawberry.input(description="Takes a PUBLISHED app off the marketplace.")
class UnpublishAppInput:
    id: strawberry.ID = strawberry.field(description=APP_ID)


@strawberry.input(description="Private apps only; the callback URL must answer. One way.")
class ChangeAppToLiveInput:
    id: strawberry.ID = strawberry.field(description=APP_ID)


@strawberry.input(description="Makes an app's approved pending revision live.")
class MergePendingRevisionInput:
    id: strawberry.ID = strawberry.field(description=APP_ID)


@strawberry.input(description="Drops an app's pending revision, unless it is in review.")
class DiscardPendingRevisionInput:
    id: strawberry.ID = strawberry.field(description=APP_ID)


@strawberry.input(description="Cannot be undone; refused while the app is published.")
class DeleteAppInput:
    id: strawberry.ID = strawberry.field(description=APP_ID)
    reason: str = strawberry.field(
        description="Why the app is deleted, ≤ 1,000 characters; kept in the audit log."
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
