"""Mutation inputs. In updates a field left out stays as it is, and null clears it."""

from __future__ import annotations

import strawberry

from schema.types import AppType, CompanyKind, Role


@strawberry.input
class SignUpInput:
    email: str
    password: str
    name: str
    company_name: str
    company_kind: CompanyKind = CompanyKind.SANDBOX  # type: ignore[valid-type]


@strawberry.input
class SignInInput:
    email: str
    password: str


@strawberry.input
class AddCompanyMemberInput:
    email: str
    name: str
    password: str = strawberry.field(description="The member's first password.")
    role: Role = Role.REGULAR  # type: ignore[valid-type]


@strawberry.input
class CreateAppInput:
    type: AppType  # type: ignore[valid-type]
    name: str
    callback_url: str


@strawberry.input(description="Only the fields given change; null clears an optional field.")
class UpdateAppInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    callback_url: str | None = strawberry.UNSET
    category: str | None = strawberry.field(
        default=strawberry.UNSET, description="A category slug from `categories`."
    )
    summary: str | None = strawberry.UNSET
    icon_url: str | None = strawberry.UNSET
    listing_image_urls: list[str] | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    video_url: str | None = strawberry.field(
        default=strawberry.UNSET, description="A YouTube video link."
    )
    setup_instructions: str | None = strawberry.UNSET
    website_url: str | None = strawberry.UNSET
    terms_of_service_url: str | None = strawberry.UNSET
    privacy_policy_url: str | None = strawberry.UNSET
    pricing_url: str | None = strawberry.UNSET
    support_url: str | None = strawberry.UNSET
    documentation_url: str | None = strawberry.UNSET
    support_email: str | None = strawberry.UNSET
    contact_email: str | None = strawberry.UNSET
    installation_url: str | None = strawberry.UNSET
    use_case: str | None = strawberry.UNSET
    test_account_notes: str | None = strawberry.UNSET
    partner_terms_accepted: bool | None = strawberry.UNSET
    scopes: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="The whole scope set (names from `scopes`); it must include `base`.",
    )


@strawberry.input
class RotateClientSecretInput:
    id: strawberry.ID
    grace_period_hours: int = strawberry.field(
        default=24, description="How long the old secret keeps working: 0 to 168 hours."
    )


@strawberry.input(
    description="Sends a draft app, or an approved app's pending revision, to review."
)
class SubmitAppForReviewInput:
    id: strawberry.ID


@strawberry.input
class WithdrawAppFromReviewInput:
    id: strawberry.ID


@strawberry.input
class PublishAppInput:
    id: strawberry.ID


@strawberry.input
class UnpublishAppInput:
    id: strawberry.ID


@strawberry.input(description="Private apps only; the callback URL must answer. One way.")
class ChangeAppToLiveInput:
    id: strawberry.ID


@strawberry.input
class MergePendingRevisionInput:
    id: strawberry.ID


@strawberry.input
class DiscardPendingRevisionInput:
    id: strawberry.ID


@strawberry.input(description="Cannot be undone; refused while the app is published.")
class DeleteAppInput:
    id: strawberry.ID
    reason: str


@strawberry.input(description="The parameters /oauth/authorize passed on to the consent screen.")
class AuthorizationInput:
    client_id: str
    redirect_uri: str
    state: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None


@strawberry.input
class UninstallAppInput:
    installation_id: strawberry.ID
