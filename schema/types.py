"""The object types of the public schema, each converted explicitly from its model row."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.utils.str_converters import to_camel_case

from devhub_gql import models as m
from devhub_gql.domain.marketplace import MarketplaceSort as MarketplaceSortEnum
from devhub_gql.domain.reviews import RejectionCode as RejectionCodeEnum
from devhub_gql.domain.revisions import compute_diff
from devhub_gql.outbox.signing import signing_secret
from schema.context import Info

AppType = strawberry.enum(
    m.AppType, description="PUBLIC apps are reviewed and listed; PRIVATE apps are shared by link."
)
AppStatus = strawberry.enum(m.AppStatus, description="Where an app is in its lifecycle.")
CompanyKind = strawberry.enum(m.CompanyKind, description="Apps are developed in SANDBOX companies.")
Role = strawberry.enum(m.Role, description="ADMINs manage the company's members and installations.")
RevisionStatus = strawberry.enum(m.RevisionStatus, description="Where a pending revision is.")
SubmissionKind = strawberry.enum(
    m.SubmissionKind, description="LISTING: a draft app's first review; REVISION: critical changes."
)
SubmissionStatus = strawberry.enum(m.SubmissionStatus)
RejectionCode = strawberry.enum(RejectionCodeEnum, name="RejectionCode")


@strawberry.type(description="A permission an app asks for, from the fixed catalogue.")
class Scope:
    name: str
    label: str
    description: str
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
    slug: str
    label: str

    @classmethod
    def from_model(cls, row: m.Category) -> Category:
        return cls(slug=row.slug, label=row.label)


@strawberry.type(description="A customer or developer company.")
class Company(relay.Node):
    company_id: relay.NodeID[int]
    name: str
    kind: CompanyKind  # type: ignore[valid-type]
    created_at: datetime

    @classmethod
    def from_model(cls, row: m.Company) -> Company:
        return cls(company_id=row.id, name=row.name, kind=row.kind, created_at=row.created_at)


@strawberry.type(description="A person who signs in.")
class User(relay.Node):
    user_id: relay.NodeID[int]
    email: str
    name: str
    role: Role  # type: ignore[valid-type]
    is_reviewer: bool
    created_at: datetime
    company_pk: strawberry.Private[int]

    @strawberry.field
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
    name: str
    summary: str | None
    icon_url: str | None
    listing_image_urls: list[str]
    description: str | None
    video_url: str | None
    setup_instructions: str | None
    website_url: str | None
    terms_of_service_url: str | None
    privacy_policy_url: str | None
    pricing_url: str | None
    support_url: str | None
    documentation_url: str | None
    support_email: str | None


@strawberry.type(description="The listing plus what only the developers and reviewers see.")
class Registration(PublicListing):
    callback_url: str = strawberry.field(description="The one OAuth redirect URI.")
    contact_email: str | None
    installation_url: str | None
    use_case: str | None = strawberry.field(description="Shown to reviewers only.")
    test_account_notes: str | None
    partner_terms_accepted: bool


@strawberry.type(description="An OAuth app developed in the viewer's company.")
class App(Registration, relay.Node):
    app_id: relay.NodeID[int]
    type: AppType  # type: ignore[valid-type]
    status: AppStatus  # type: ignore[valid-type]
    client_id: str = strawberry.field(description="The OAuth client id; public.")
    created_at: datetime
    updated_at: datetime
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

    @strawberry.field
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
    old: str | None
    new: str | None


@strawberry.type(description="What a revision changes compared with the live app.")
class RevisionDiff:
    scopes_added: list[str]
    scopes_removed: list[str]
    fields: list[FieldChange]

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
    status: RevisionStatus  # type: ignore[valid-type]
    diff: RevisionDiff
    created_at: datetime
    updated_at: datetime

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
    id: str
    passed: bool
    message: str


@strawberry.type
class RejectionReason:
    code: RejectionCode  # type: ignore[valid-type]
    message: str


@strawberry.type(description="What was sent to review, frozen at submission.")
class AppSnapshot(Registration):
    type: AppType  # type: ignore[valid-type]
    category: str | None
    scopes: list[str]

    @classmethod
    def from_dict(cls, snapshot: dict) -> AppSnapshot:
        names = {f.python_name for f in cls.__strawberry_definition__.fields}
        return cls(**{key: value for key, value in snapshot.items() if key in names})


@strawberry.type(description="An app or a revision sent to review, and the decision on it.")
class Submission(relay.Node):
    submission_id: relay.NodeID[int]
    kind: SubmissionKind  # type: ignore[valid-type]
    status: SubmissionStatus  # type: ignore[valid-type]
    submitted_at: datetime
    snapshot: AppSnapshot
    diff: RevisionDiff | None = strawberry.field(description="For revisions: against the live app.")
    checks: list[AutomatedCheck]
    decided_at: datetime | None
    note: str | None = strawberry.field(description="The reviewer's note.")
    reasons: list[RejectionReason] = strawberry.field(description="Why it was rejected.")
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


NoticeStatus = strawberry.enum(m.NoticeStatus)


@strawberry.type
class DeliveryAttempt:
    attempted_at: datetime
    status_code: int | None = strawberry.field(description="Null when no HTTP answer came.")
    error: str | None
    duration_ms: int


@strawberry.type(
    description="A signed DELETE to the app's callback URL telling it of an uninstall."
)
class UninstallNotice:
    webhook_id: str
    status: NoticeStatus  # type: ignore[valid-type]
    attempts: int
    payload: str = strawberry.field(description="The JSON body sent.")
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    notice_pk: strawberry.Private[int]

    @strawberry.field
    async def delivery_attempts(self, info: Info) -> list[DeliveryAttempt]:
        rows = await info.context.loaders.delivery_attempts.load(self.notice_pk)
        return [
            DeliveryAttempt(
                attempted_at=row.attempted_at,
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
    name: str
    icon_url: str | None
    summary: str | None
    developer_name: str


@strawberry.type(description="Why the viewer cannot install the app.")
class InstallRefusal:
    code: str
    message: str


@strawberry.type(description="What the consent screen shows.")
class AuthorizationRequest:
    app: AppListing
    scopes: list[Scope] = strawberry.field(description="All granted together, or none.")
    already_installed: bool
    refusal: InstallRefusal | None

    @strawberry.field
    def can_install(self) -> bool:
        return self.refusal is None


@strawberry.type(description="An app installed by a user.")
class Installation(relay.Node):
    installation_id: relay.NodeID[int]
    installed_at: datetime
    updated_at: datetime
    uninstalled_at: datetime | None
    needs_reauthorization: bool = strawberry.field(
        description="The app gained scopes since the user consented; they must install again."
    )
    granted_scope_names: strawberry.Private[list[str]]
    app_pk: strawberry.Private[int]
    user_pk: strawberry.Private[int]

    @strawberry.field(description="The scopes the user granted.")
    async def scopes(self, info: Info) -> list[Scope]:
        catalogue = await info.context.loaders.scope.load_many(self.granted_scope_names)
        return [scope for scope in catalogue if scope is not None]

    @strawberry.field
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
            needs_reauthorization=row.needs_reauthorization,
            granted_scope_names=list(row.scopes),
            app_pk=row.app_id,
            user_pk=row.user_id,
        )


MarketplaceSort = strawberry.enum(MarketplaceSortEnum, name="MarketplaceSort")


@strawberry.type(description="An app as the marketplace lists it: what a customer decides on.")
class MarketplaceApp(PublicListing, relay.Node):
    # Every field is plain data, filled in for a whole page at once by the resolver: async
    # fields on 50 nodes cost more than the queries behind them.
    listing_id: relay.NodeID[int]
    slug: str = strawberry.field(description="Stable address of the listing; old slugs work too.")
    developer_name: str
    category: Category | None
    scopes: list[Scope] = strawberry.field(description="What the app may do once installed.")
    installation_count: int
    published_at: datetime | None
    install_url: str = strawberry.field(
        description="Where Install sends the user: the app's installation page or /oauth/authorize."
    )
