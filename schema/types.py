"""The object types of the public schema, each converted explicitly from its model row."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.utils.str_converters import to_camel_case

from devhub_gql import models as m
from devhub_gql.domain import installations
from devhub_gql.domain.marketplace import MarketplaceSort as MarketplaceSortEnum
from devhub_gql.domain.reviews import RejectionCode as RejectionCodeEnum
from devhub_gql.domain.revisions import compute_diff
from devhub_gql.outbox.signing import signing_secret
from devhub_gql.outbox.worker import MAX_ATTEMPTS
from schema.context import Info
from schema.enums import described_enum

AppType = described_enum(
    m.AppType,
    description="PUBLIC apps are reviewed and listed; PRIVATE apps are shared by link.",
    values={
        m.AppType.PUBLIC: "Reviewed before it goes live, then listed in the marketplace once "
        "published.",
        m.AppType.PRIVATE: "Never reviewed nor listed: it goes live with changeAppToLive and is "
        "installed through its link.",
    },
)
AppStatus = described_enum(
    m.AppStatus,
    description="Where an app is in its lifecycle: public apps go DRAFT → IN_REVIEW → APPROVED ⇄ "
    "PUBLISHED, private apps DRAFT → LIVE.",
    values={
        m.AppStatus.DRAFT: "Being prepared; only the developer's company may install it, to test. "
        "A rejected or withdrawn public app returns here.",
        m.AppStatus.IN_REVIEW: "A public app waiting for a reviewer; it cannot be edited until "
        "withdrawn or decided.",
        m.AppStatus.APPROVED: "A public app a reviewer approved that is not listed in the "
        "marketplace (not yet published, or unpublished); anyone may install it by direct link.",
        m.AppStatus.PUBLISHED: "A public app listed in the marketplace; it must be unpublished "
        "before it can be deleted.",
        m.AppStatus.LIVE: "A private app changed to live, for good; anyone with its link may "
        "install it.",
    },
)
CompanyKind = described_enum(
    m.CompanyKind,
    description="Apps are developed in SANDBOX companies.",
    values={
        m.CompanyKind.SANDBOX: "A developer's company: its users create, test and publish apps.",
        m.CompanyKind.PRODUCTION: "A customer's company: its users install apps but cannot "
        "create any.",
    },
)
Role = described_enum(
    m.Role,
    description="ADMINs manage the company's members and installations.",
    values={
        m.Role.ADMIN: "Adds members, sees and uninstalls every installation of the company, and "
        "alone may install apps that ask for the `admin` scope. Sign-up makes the first user one.",
        m.Role.REGULAR: "Sees and uninstalls only their own installations.",
    },
)
RevisionStatus = described_enum(
    m.RevisionStatus,
    description="Where a pending revision is.",
    values={
        m.RevisionStatus.DRAFT: "Collecting critical edits; submit it with submitAppForReview or "
        "discard it. A rejected or withdrawn revision returns here.",
        m.RevisionStatus.IN_REVIEW: "Waiting for a reviewer; it takes no edits until withdrawn "
        "or decided.",
        m.RevisionStatus.APPROVED: "Approved by a reviewer: mergePendingRevision makes it live.",
        m.RevisionStatus.MERGED: "Made live; no longer pending.",
        m.RevisionStatus.DISCARDED: "Dropped by the developer; the live app never changed.",
    },
)
SubmissionKind = described_enum(
    m.SubmissionKind,
    description="LISTING: a draft app's first review; REVISION: critical changes.",
    values={
        m.SubmissionKind.LISTING: "A draft public app sent to review (again after a rejection or "
        "withdrawal); approval makes the app APPROVED.",
        m.SubmissionKind.REVISION: "The pending revision of an approved app's critical fields; "
        "approval lets the developer merge it.",
    },
)
SubmissionStatus = described_enum(
    m.SubmissionStatus,
    description="What became of a submission.",
    values={
        m.SubmissionStatus.PENDING: "In the review queue, waiting for a reviewer's decision.",
        m.SubmissionStatus.APPROVED: "A reviewer approved it.",
        m.SubmissionStatus.REJECTED: "A reviewer rejected it, with reasons.",
        m.SubmissionStatus.WITHDRAWN: "The developer took it back before a decision, or deleted "
        "the app.",
    },
)
RejectionCode = described_enum(
    RejectionCodeEnum,
    name="RejectionCode",
    description="The kind of problem a reviewer rejects a submission for.",
    values={
        RejectionCodeEnum.INCOMPLETE_LISTING: "The listing lacks information a customer needs.",
        RejectionCodeEnum.MISLEADING_LISTING: "The listing misrepresents what the app does.",
        RejectionCodeEnum.BROKEN_CALLBACK: "The OAuth callback URL does not work.",
        RejectionCodeEnum.INSTALLATION_FLOW: "Installing the app fails or misleads the user.",
        RejectionCodeEnum.EXCESSIVE_SCOPES: "The app asks for more access than it needs.",
        RejectionCodeEnum.SECURITY: "A security problem with the app.",
        RejectionCodeEnum.POLICY_VIOLATION: "The app breaks the marketplace's policies or the "
        "partner terms.",
        RejectionCodeEnum.OTHER: "Another reason, explained in the message.",
    },
)


@strawberry.type(description="A permission an app asks for, from the fixed catalogue.")
class Scope:
    name: str = strawberry.field(
        description="The name apps ask for, e.g. `deals:read`; `X:full` includes `X:read`."
    )
    label: str = strawberry.field(
        description="A short title for consent screens, e.g. 'Deals: Read only'."
    )
    description: str = strawberry.field(description="What the scope lets an app do.")
    endpoints: list[str] = strawberry.field(description="The API endpoint families it covers.")

    @classmethod
    def from_values(cls, row: dict) -> Scope:
        return cls(
            name=row["name"],
            label=row["label"],
            description=row["description"],
            endpoints=list(row["endpoints"]),
        )


@strawberry.type(description="A marketplace category.")
class Category:
    slug: str = strawberry.field(
        description="The stable key updateApp and marketplaceApps take, e.g. `productivity`."
    )
    label: str = strawberry.field(description="The name to show, e.g. 'Productivity'.")

    @classmethod
    def from_model(cls, row: m.Category) -> Category:
        return cls(slug=row.slug, label=row.label)


@strawberry.type(description="A customer or developer company.")
class Company(relay.Node):
    company_id: relay.NodeID[int]
    name: str = strawberry.field(description="The company's name, ≤ 100 characters.")
    kind: CompanyKind = strawberry.field(  # type: ignore[valid-type]
        description="SANDBOX companies develop apps; PRODUCTION companies only install them."
    )
    created_at: datetime = strawberry.field(description="When the company signed up.")

    @classmethod
    def from_model(cls, row: m.Company) -> Company:
        return cls(company_id=row.id, name=row.name, kind=row.kind, created_at=row.created_at)


@strawberry.type(description="A person who signs in.")
class User(relay.Node):
    user_id: relay.NodeID[int]
    email: str = strawberry.field(description="The address the user signs in with, lower-case.")
    name: str = strawberry.field(description="The person's name, ≤ 100 characters.")
    role: Role = strawberry.field(  # type: ignore[valid-type]
        description="What the user may do in their company."
    )
    is_reviewer: bool = strawberry.field(
        description="May use the back-office; only the `devhub-gql reviewers` command grants it."
    )
    created_at: datetime = strawberry.field(description="When the account was made.")
    company_pk: strawberry.Private[int]

    @strawberry.field(description="The company the user belongs to.")
    async def company(self, info: Info) -> Company:
        return Company.from_model(await info.context.loaders.company.load(self.company_pk))

    @classmethod
    def from_model(cls, row: m.User) -> User:
        return cls(
            user_id=row.id,
            email=row.email,
            name=row.name,
            role=row.role,
            is_reviewer=row.is_reviewer,
            created_at=row.created_at,
            company_pk=row.company_id,
        )


@strawberry.type(description="The listing fields every customer sees.")
class PublicListing:
    name: str = strawberry.field(description="The app's name, ≤ 100 characters.")
    summary: str | None = strawberry.field(
        description="A one-line pitch, ≤ 150 characters; null when not set. Required for review."
    )
    icon_url: str | None = strawberry.field(
        description="The icon's http(s) URL; null when not set. Required for review."
    )
    listing_image_urls: list[str] = strawberry.field(
        description="Screenshots' http(s) URLs, at most 5; review needs at least one."
    )
    description: str | None = strawberry.field(
        description="The full description, ≤ 1,500 characters; null when not set. Required for "
        "review."
    )
    video_url: str | None = strawberry.field(
        description="A YouTube video about the app; null when not set."
    )
    setup_instructions: str | None = strawberry.field(
        description="How to set the app up once installed, ≤ 1,500 characters; null when not set."
    )
    website_url: str | None = strawberry.field(
        description="The app's website; null when not set. Required for review."
    )
    terms_of_service_url: str | None = strawberry.field(
        description="The terms of service; null when not set. Required for review."
    )
    privacy_policy_url: str | None = strawberry.field(
        description="The privacy policy; null when not set. Required for review."
    )
    pricing_url: str | None = strawberry.field(
        description="Where the prices are; null when not set."
    )
    support_url: str | None = strawberry.field(
        description="Where users get help; null when not set."
    )
    documentation_url: str | None = strawberry.field(
        description="The app's documentation; null when not set."
    )
    support_email: str | None = strawberry.field(
        description="The address users write to for help; null when not set."
    )


@strawberry.type(description="The listing plus what only the developers and reviewers see.")
class Registration(PublicListing):
    callback_url: str = strawberry.field(description="The one OAuth redirect URI.")
    contact_email: str | None = strawberry.field(
        description="The developer's main contact address; null when not set. Required for review."
    )
    installation_url: str | None = strawberry.field(
        description="Where the marketplace's Install sends users instead of /oauth/authorize; "
        "null when not set."
    )
    use_case: str | None = strawberry.field(
        description="Shown to reviewers only: what the app is for, ≤ 350 characters."
    )
    test_account_notes: str | None = strawberry.field(
        description="For reviewers: how to try the app, e.g. a test account; ≤ 1,500 characters."
    )
    partner_terms_accepted: bool = strawberry.field(
        description="The developer agreed to the partner terms; required for review."
    )


@strawberry.type(description="An OAuth app developed in the viewer's company.")
class App(Registration, relay.Node):
    app_id: relay.NodeID[int]
    type: AppType = strawberry.field(  # type: ignore[valid-type]
        description="PUBLIC or PRIVATE, fixed at creation."
    )
    status: AppStatus = strawberry.field(  # type: ignore[valid-type]
        description="Where the app is in its lifecycle."
    )
    client_id: str = strawberry.field(description="The OAuth client id; public.")
    created_at: datetime = strawberry.field(description="When the app was created.")
    updated_at: datetime = strawberry.field(
        description="When the app last changed: an edit, a status change, a merge or a new secret."
    )
    company_pk: strawberry.Private[int]
    category_slug: strawberry.Private[str | None]

    @strawberry.field(description="Critical changes waiting for review or merge, if any.")
    async def pending_revision(self, info: Info) -> PendingRevision | None:
        row = await info.context.loaders.open_revision.load(self.app_id)
        if row is None:
            return None
        live_scopes = [
            scope.name for scope in await info.context.loaders.app_scopes.load(self.app_id)
        ]
        return PendingRevision.from_model(row, self._live_values(live_scopes))

    @strawberry.field(description="The submission waiting for a reviewer, if any.")
    async def current_submission(self, info: Info) -> Submission | None:
        rows = await info.context.loaders.submissions.load(self.app_id)
        pending = [row for row in rows if row.status == m.SubmissionStatus.PENDING]
        return Submission.from_model(pending[0]) if pending else None

    @strawberry.field(description="The most recent rejection, with the reviewer's reasons.")
    async def latest_rejection(self, info: Info) -> Submission | None:
        rows = await info.context.loaders.submissions.load(self.app_id)
        rejected = [row for row in rows if row.status == m.SubmissionStatus.REJECTED]
        return Submission.from_model(rejected[0]) if rejected else None

    @strawberry.field(description="Every submission of the app, newest first.")
    async def review_history(self, info: Info) -> list[Submission]:
        return [
            Submission.from_model(row)
            for row in await info.context.loaders.submissions.load(self.app_id)
        ]

    def _live_values(self, scopes: list[str]) -> dict:
        return {
            "callback_url": self.callback_url,
            "scopes": scopes,
            "installation_url": self.installation_url,
            "category": self.category_slug,
        }

    @strawberry.field(
        description="The secret that signs uninstall notices (Standard Webhooks); developers only."
    )
    async def signing_secret(self, info: Info) -> str | None:
        viewer = await info.context.viewer()
        if viewer is None or viewer.company_id != self.company_pk:
            return None
        return signing_secret(self.client_id, info.context.settings.secret_key)

    @strawberry.field(description="The live access scopes; `base` is always among them.")
    async def scopes(self, info: Info) -> list[Scope]:
        return await info.context.loaders.app_scopes.load(self.app_id)

    @strawberry.field(
        description="The live marketplace category; null until chosen. Required for review."
    )
    async def category(self, info: Info) -> Category | None:
        if self.category_slug is None:
            return None
        return Category.from_model(await info.context.loaders.category.load(self.category_slug))

    @strawberry.field(description="The developer company.")
    async def company(self, info: Info) -> Company:
        return Company.from_model(await info.context.loaders.company.load(self.company_pk))

    @classmethod
    def from_model(cls, row: m.App) -> App:
        return cls(
            app_id=row.id,
            type=row.type,
            status=row.status,
            name=row.name,
            client_id=row.client_id,
            callback_url=row.callback_url,
            summary=row.summary,
            icon_url=row.icon_url,
            listing_image_urls=list(row.listing_image_urls or []),
            description=row.description,
            video_url=row.video_url,
            setup_instructions=row.setup_instructions,
            website_url=row.website_url,
            terms_of_service_url=row.terms_of_service_url,
            privacy_policy_url=row.privacy_policy_url,
            pricing_url=row.pricing_url,
            support_url=row.support_url,
            documentation_url=row.documentation_url,
            support_email=row.support_email,
            contact_email=row.contact_email,
            installation_url=row.installation_url,
            use_case=row.use_case,
            test_account_notes=row.test_account_notes,
            partner_terms_accepted=row.partner_terms_accepted,
            created_at=row.created_at,
            updated_at=row.updated_at,
            company_pk=row.company_id,
            category_slug=row.category_id,
        )


@strawberry.type(description="A critical field whose value a revision changes.")
class FieldChange:
    field: str = strawberry.field(description="The input field name, e.g. callbackUrl.")
    old: str | None = strawberry.field(description="The live value; null when not set.")
    new: str | None = strawberry.field(description="The proposed value; null clears the field.")


@strawberry.type(description="What a revision changes compared with the live app.")
class RevisionDiff:
    scopes_added: list[str] = strawberry.field(
        description="The scope names it adds, in catalogue order."
    )
    scopes_removed: list[str] = strawberry.field(
        description="The scope names it removes, in catalogue order."
    )
    fields: list[FieldChange] = strawberry.field(
        description="The other critical fields it changes: callbackUrl, installationUrl, category."
    )

    @classmethod
    def from_dict(cls, diff: dict) -> RevisionDiff:
        return cls(
            scopes_added=list(diff["scopes_added"]),
            scopes_removed=list(diff["scopes_removed"]),
            fields=[
                FieldChange(field=to_camel_case(f["field"]), old=f["old"], new=f["new"])
                for f in diff["fields"]
            ],
        )


@strawberry.type(description="Critical-field changes to an approved app, kept apart until merged.")
class PendingRevision:
    status: RevisionStatus = strawberry.field(  # type: ignore[valid-type]
        description="DRAFT, IN_REVIEW or APPROVED: merged and discarded ones are no longer pending."
    )
    diff: RevisionDiff = strawberry.field(
        description="What merging it would change in the live app as it is now."
    )
    created_at: datetime = strawberry.field(description="When the first critical edit opened it.")
    updated_at: datetime = strawberry.field(
        description="When it last changed: an edit, a submission or a decision."
    )

    @classmethod
    def from_model(cls, row: m.PendingRevision, live: dict) -> PendingRevision:
        return cls(
            status=row.status,
            diff=RevisionDiff.from_dict(compute_diff(live, row.changes)),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(description="The result of one automated check run at submission.")
class AutomatedCheck:
    id: str = strawberry.field(
        description="Which check: `required_fields`, `urls_https`, `least_privilege` or "
        "`callback_answers`."
    )
    passed: bool = strawberry.field(description="Whether the submission passed it.")
    message: str = strawberry.field(
        description="What the check found, e.g. the URLs that are not https."
    )


@strawberry.type(description="One reason a reviewer gave for rejecting a submission.")
class RejectionReason:
    code: RejectionCode = strawberry.field(  # type: ignore[valid-type]
        description="The kind of problem."
    )
    message: str = strawberry.field(
        description="The reviewer's explanation for the developer, ≤ 1,000 characters."
    )


@strawberry.type(description="What was sent to review, frozen at submission.")
class AppSnapshot(Registration):
    type: AppType = strawberry.field(  # type: ignore[valid-type]
        description="PUBLIC or PRIVATE."
    )
    category: str | None = strawberry.field(
        description="The category slug; null when none was chosen."
    )
    scopes: list[str] = strawberry.field(
        description="The scope names asked for, in catalogue order."
    )

    @classmethod
    def from_dict(cls, snapshot: dict) -> AppSnapshot:
        names = {f.python_name for f in cls.__strawberry_definition__.fields}
        return cls(**{key: value for key, value in snapshot.items() if key in names})


@strawberry.type(description="An app or a revision sent to review, and the decision on it.")
class Submission(relay.Node):
    submission_id: relay.NodeID[int]
    kind: SubmissionKind = strawberry.field(  # type: ignore[valid-type]
        description="A draft app's listing or an approved app's revision."
    )
    status: SubmissionStatus = strawberry.field(  # type: ignore[valid-type]
        description="PENDING, or what became of it."
    )
    submitted_at: datetime = strawberry.field(description="When the developer submitted it.")
    snapshot: AppSnapshot = strawberry.field(
        description="The app as submitted, a revision's changes applied; it never changes."
    )
    diff: RevisionDiff | None = strawberry.field(
        description="For revisions: against the live app, at submission; null for listings."
    )
    checks: list[AutomatedCheck] = strawberry.field(
        description="The automated checks run at submission."
    )
    decided_at: datetime | None = strawberry.field(
        description="When it was approved, rejected or withdrawn; null while PENDING."
    )
    note: str | None = strawberry.field(
        description="The reviewer's note, ≤ 1,000 characters; null when none."
    )
    reasons: list[RejectionReason] = strawberry.field(
        description="Why it was rejected; empty unless REJECTED."
    )
    app_pk: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: m.Submission) -> Submission:
        return cls(
            submission_id=row.id,
            kind=row.kind,
            status=row.status,
            submitted_at=row.submitted_at,
            snapshot=AppSnapshot.from_dict(row.snapshot),
            diff=RevisionDiff.from_dict(row.diff) if row.diff else None,
            checks=[AutomatedCheck(**check) for check in row.checks],
            decided_at=row.decided_at,
            note=row.note,
            reasons=[
                RejectionReason(code=RejectionCodeEnum(r["code"]), message=r["message"])
                for r in row.reasons
            ],
            app_pk=row.app_id,
        )


NoticeStatus = described_enum(
    m.NoticeStatus,
    description="Where the delivery of a notice is.",
    values={
        m.NoticeStatus.PENDING: "Not delivered yet; the next attempt is due at nextAttemptAt.",
        m.NoticeStatus.DELIVERED: "The app answered an attempt with a 2xx status.",
        m.NoticeStatus.FAILED: f"Given up after {MAX_ATTEMPTS} attempts without a 2xx answer.",
    },
)
AttemptOutcome = described_enum(
    m.AttemptOutcome,
    description="How a delivery attempt ended.",
    values={
        m.AttemptOutcome.SENDING: "Under way: the request has left and no answer is recorded yet.",
        m.AttemptOutcome.DELIVERED: "The app answered with a 2xx status.",
        m.AttemptOutcome.FAILED: "No answer (see error), or a status other than 2xx.",
        m.AttemptOutcome.INTERRUPTED: "The sender stopped mid-request, so the app may have "
        "received the notice.",
    },
)


@strawberry.type(description="One try at delivering a notice to the app.")
class DeliveryAttempt:
    attempted_at: datetime = strawberry.field(description="When the request was sent.")
    outcome: AttemptOutcome = strawberry.field(  # type: ignore[valid-type]
        description="How it ended."
    )
    status_code: int | None = strawberry.field(description="Null when no HTTP answer came.")
    error: str | None = strawberry.field(
        description="Why no answer came (e.g. a connection error, a refused address), "
        "≤ 300 characters; null when the app answered."
    )
    duration_ms: int = strawberry.field(
        description="How long the request took, in milliseconds; 0 while SENDING."
    )


@strawberry.type(
    description="A signed DELETE to the app's callback URL telling it of an uninstall."
)
class UninstallNotice:
    webhook_id: str = strawberry.field(
        description="The `webhook-id` header, the same on every attempt: drop duplicates by it."
    )
    status: NoticeStatus = strawberry.field(  # type: ignore[valid-type]
        description="Where its delivery is."
    )
    attempts: int = strawberry.field(
        description=f"How many delivery attempts were made, at most {MAX_ATTEMPTS}."
    )
    payload: str = strawberry.field(
        description="The JSON body sent: client_id, company_id, user_id and timestamp."
    )
    created_at: datetime = strawberry.field(description="When the uninstall happened.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next attempt is due; null unless PENDING."
    )
    delivered_at: datetime | None = strawberry.field(
        description="When the app answered with a 2xx status; null until then."
    )
    notice_pk: strawberry.Private[int]

    @strawberry.field(description="Every attempt made, oldest first.")
    async def delivery_attempts(self, info: Info) -> list[DeliveryAttempt]:
        rows = await info.context.loaders.delivery_attempts.load(self.notice_pk)
        return [
            DeliveryAttempt(
                attempted_at=row.attempted_at,
                outcome=row.outcome,
                status_code=row.status_code,
                error=row.error,
                duration_ms=row.duration_ms,
            )
            for row in rows
        ]

    @classmethod
    def from_model(cls, row: m.OutboxMessage) -> UninstallNotice:
        return cls(
            webhook_id=row.webhook_id,
            status=row.status,
            attempts=row.attempts,
            payload=row.payload,
            created_at=row.created_at,
            next_attempt_at=row.next_attempt_at if row.status == m.NoticeStatus.PENDING else None,
            delivered_at=row.delivered_at,
            notice_pk=row.id,
        )


@strawberry.type(description="An app as a customer sees it before and after installing it.")
class AppListing:
    name: str = strawberry.field(description="The app's name.")
    icon_url: str | None = strawberry.field(description="The icon's URL; null when not set.")
    summary: str | None = strawberry.field(description="The one-line pitch; null when not set.")
    developer_name: str = strawberry.field(description="The company that develops the app.")


@strawberry.type(description="Why the viewer cannot install the app.")
class InstallRefusal:
    code: str = strawberry.field(
        description="ADMIN_REQUIRED (the app asks for the `admin` scope and the user is no "
        "company admin) or INVALID_AUTHORIZATION_REQUEST (a PKCE method other than S256)."
    )
    message: str = strawberry.field(description="The reason, to show the user.")


@strawberry.type(description="What the consent screen shows.")
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


@strawberry.type(description="An app installed by a user.")
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
        return installations.needs_reauthorization(
            self.granted_scope_names, [scope.name for scope in live]
        )

    @strawberry.field(description="The scopes the user granted.")
    async def scopes(self, info: Info) -> list[Scope]:
        catalogue = await info.context.loaders.scope.load_many(self.granted_scope_names)
        return [scope for scope in catalogue if scope is not None]

    @strawberry.field(description="The installed app, as the user sees it.")
    async def app(self, info: Info) -> AppListing:
        app = await info.context.loaders.app.load(self.app_pk)
        developer = await info.context.loaders.company.load(app.company_id)
        return AppListing(
            name=app.name, icon_url=app.icon_url, summary=app.summary, developer_name=developer.name
        )

    @strawberry.field(description="Who installed it.")
    async def user(self, info: Info) -> User:
        return User.from_model(await info.context.loaders.user.load(self.user_pk))

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


MarketplaceSort = described_enum(
    MarketplaceSortEnum,
    name="MarketplaceSort",
    description="The order of marketplaceApps.",
    values={
        MarketplaceSortEnum.NEWEST: "Most recently first published first.",
        MarketplaceSortEnum.NAME: "Alphabetically by name.",
        MarketplaceSortEnum.INSTALLATIONS: "Most installed first, by current installation count.",
    },
)


@strawberry.type(description="An app as the marketplace lists it: what a customer decides on.")
class MarketplaceApp(PublicListing, relay.Node):
    # Every field is plain data, filled in for a whole page at once by the resolver: async
    # fields on 50 nodes cost more than the queries behind them.
    listing_id: relay.NodeID[int]
    slug: str = strawberry.field(description="Stable address of the listing; old slugs work too.")
    developer_name: str = strawberry.field(description="The company that develops the app.")
    category: Category | None = strawberry.field(
        description="The marketplace category; null when none."
    )
    scopes: list[Scope] = strawberry.field(description="What the app may do once installed.")
    installation_count: int = strawberry.field(
        description="How many users have the app installed now."
    )
    published_at: datetime | None = strawberry.field(
        description="When the app was first published; null if never (an approved app reached "
        "by direct link)."
    )
    install_url: str = strawberry.field(
        description="Where Install sends the user: the app's installation page or /oauth/authorize."
    )
