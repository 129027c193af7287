"""Accounts: companies, their users, sessions; sign-up, sign-in, sign-out and members."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from devhub_gql import models as m
from devhub_gql.domain.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from schema.context import Info
from schema.enums import described_enum
from schema.errors import UserErrorType, user_errors_field
from schema.scopes import COMPANY

PASSWORD = (
    f"At least {MIN_PASSWORD_LENGTH} characters, at most {MAX_PASSWORD_LENGTH}, not only spaces."
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


@strawberry.type(description="A customer or developer company.", directives=COMPANY)
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


@strawberry.type(description="A person who signs in.", directives=COMPANY)
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
        found = await info.context.loaders.company.load(self.company_pk)
        assert found is not None  # users keep their company (RESTRICT)
        return Company.from_model(found)

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
