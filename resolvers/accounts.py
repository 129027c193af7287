"""Sign-up, sign-in, sign-out, the viewer and company members."""

from __future__ import annotations

from typing import Annotated

import strawberry

from devhub_gql.domain import accounts
from devhub_gql.domain.accounts import SignedIn
from resolvers.base import attempt
from schema.accounts import (
    AddCompanyMemberInput,
    AddCompanyMemberPayload,
    Session,
    SignInInput,
    SignInPayload,
    SignOutInput,
    SignOutPayload,
    SignUpInput,
    User,
)
from schema.context import Info

SIGN_OUT_HERE = SignOutInput()


def _signed_in(outcome_value: SignedIn) -> SignInPayload:
    return SignInPayload(
        user=User.from_model(outcome_value.user),
        session=Session(token=outcome_value.token, expires_at=outcome_value.expires_at),
    )


async def viewer(info: Info) -> User | None:
    signed_in = await info.context.viewer()
    return User.from_model(signed_in.user) if signed_in else None


async def sign_up(
    info: Info,
    input: Annotated[
        SignUpInput, strawberry.argument(description="The new user and their company.")
    ],
) -> SignInPayload:
    outcome = await attempt(
        accounts.sign_up(
            email=input.email,
            password=input.password,
            name=input.name,
            company_name=input.company_name,
            company_kind=input.company_kind,
            now=info.context.clock.now(),
            session_ttl=info.context.settings.session_ttl,
        )
    )
    if outcome.value is None:
        return SignInPayload(user_errors=outcome.user_errors)
    return _signed_in(outcome.value)


async def sign_in(
    info: Info,
    input: Annotated[
        SignInInput, strawberry.argument(description="The email address and password.")
    ],
) -> SignInPayload:
    outcome = await info.context.answer_limits(
        attempt(
            accounts.sign_in_guarded(
                info.context.limiters.sign_in_failures,
                address=info.context.client_ip(),
                email=input.email,
                password=input.password,
                now=info.context.clock.now(),
                session_ttl=info.context.settings.session_ttl,
            )
        )
    )
    if outcome.value is None:
        return SignInPayload(user_errors=outcome.user_errors)
    return _signed_in(outcome.value)


async def sign_out(
    info: Info,
    input: Annotated[
        SignOutInput, strawberry.argument(description="Which sessions to end.")
    ] = SIGN_OUT_HERE,
) -> SignOutPayload:
    signed_in = await info.context.require_viewer()
    ended = await accounts.sign_out(
        signed_in, info.context.clock.now(), everywhere=input.everywhere
    )
    return SignOutPayload(signed_out=True, sessions_ended=ended)


async def add_company_member(
    info: Info,
    input: Annotated[AddCompanyMemberInput, strawberry.argument(description="The new member.")],
) -> AddCompanyMemberPayload:
    signed_in = await info.context.require_viewer()
    outcome = await attempt(
        accounts.add_company_member(
            signed_in,
            email=input.email,
            name=input.name,
            password=input.password,
            role=input.role,
            now=info.context.clock.now(),
        )
    )
    if outcome.value is None:
        return AddCompanyMemberPayload(user_errors=outcome.user_errors)
    return AddCompanyMemberPayload(user=User.from_model(outcome.value))
