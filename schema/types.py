"""The object types of the public schema, each converted explicitly from its model row."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from devhub_gql import models as m
from schema.context import Info

AppType = strawberry.enum(
    m.AppType, description="PUBLIC apps are reviewed and listed; PRIVATE apps are shared by link."
)
AppStatus = strawberry.enum(m.AppStatus, description="Where an app is in its lifecycle.")
CompanyKind = strawberry.enum(m.CompanyKind, description="Apps are developed in SANDBOX companies.")
Role = strawberry.enum(m.Role, description="ADMINs manage the company's members and installations.")


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


@strawberry.type(description="An OAuth app developed in the viewer's company.")
class App(relay.Node):
    app_id: relay.NodeID[int]
    type: AppType  # type: ignore[valid-type]
    status: AppStatus  # type: ignore[valid-type]
    name: str
    client_id: str = strawberry.field(description="The OAuth client id; public.")
    callback_url: str = strawberry.field(description="The one OAuth redirect URI.")
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
    contact_email: str | None
    installation_url: str | None
    use_case: str | None = strawberry.field(description="Shown to reviewers only.")
    test_account_notes: str | None
    partner_terms_accepted: bool
    created_at: datetime
    updated_at: datetime
    company_pk: strawberry.Private[int]
    category_slug: strawberry.Private[str | None]

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
