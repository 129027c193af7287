"""Consent, the viewer's installations, and uninstalling."""

from __future__ import annotations

from typing import Annotated

import strawberry

from devhub_gql import models as m
from devhub_gql.domain import install_events, installations
from devhub_gql.oauth import consent
from devhub_gql.oauth.consent import AuthorizationParams
from resolvers.base import attempt, decode_id
from schema.catalogue import Scope
from schema.context import Info
from schema.installations import (
    AppListing,
    AuthorizationInput,
    AuthorizationPayload,
    AuthorizationRequest,
    Installation,
    InstallRefusal,
    UninstallAppInput,
    UninstallAppPayload,
)
from schema.pagination import After, Connection, First, paginate


def _params(source: AuthorizationInput) -> AuthorizationParams:
    return AuthorizationParams(
        client_id=source.client_id,
        redirect_uri=source.redirect_uri,
        state=source.state,
        code_challenge=source.code_challenge,
        code_challenge_method=source.code_challenge_method,
    )


async def authorization_request(
    info: Info,
    client_id: Annotated[
        str, strawberry.argument(description="The `client_id` that /oauth/authorize received.")
    ],
    redirect_uri: Annotated[
        str | None,
        strawberry.argument(
            description="The `redirect_uri` it received, if any: it must be the callback URL."
        ),
    ] = None,
    state: Annotated[
        str | None, strawberry.argument(description="The `state` it received, if any.")
    ] = None,
    code_challenge: Annotated[
        str | None, strawberry.argument(description="The PKCE `code_challenge`, if any.")
    ] = None,
    code_challenge_method: Annotated[
        str | None,
        strawberry.argument(description="The PKCE `code_challenge_method`; only S256 is accepted."),
    ] = None,
) -> AuthorizationRequest:
    viewer = await info.context.require_viewer()
    params = AuthorizationParams(
        client_id, redirect_uri, state, code_challenge, code_challenge_method
    )
    screen = await consent.describe(viewer, params)
    return AuthorizationRequest(
        app=AppListing(
            name=screen.app.name,
            icon_url=screen.app.icon_url,
            summary=screen.app.summary,
            developer_name=screen.developer.name,
        ),
        scopes=Scope.listed(screen.scopes),
        already_installed=screen.already_installed,
        refusal=InstallRefusal(code=screen.refusal.code, message=screen.refusal.message)
        if screen.refusal
        else None,
    )


async def approve_authorization(
    info: Info,
    input: Annotated[
        AuthorizationInput, strawberry.argument(description="The request the user allows.")
    ],
) -> AuthorizationPayload:
    viewer = await info.context.require_viewer()
    outcome = await attempt(
        consent.approve(
            info.context.oauth, viewer, _params(input), info.context.settings.public_url
        )
    )
    return AuthorizationPayload(redirect_url=outcome.value, user_errors=outcome.user_errors)


async def deny_authorization(
    info: Info,
    input: Annotated[
        AuthorizationInput, strawberry.argument(description="The request the user cancels.")
    ],
) -> AuthorizationPayload:
    viewer = await info.context.require_viewer()
    outcome = await attempt(consent.deny(viewer, _params(input)))
    return AuthorizationPayload(redirect_url=outcome.value, user_errors=outcome.user_errors)


async def installations_of_viewer(
    info: Info,
    first: First = None,
    after: After = None,
    include_uninstalled: Annotated[
        bool, strawberry.argument(description="Also list the uninstalled ones.")
    ] = False,
) -> Connection[Installation]:
    viewer = await info.context.require_viewer()
    return await paginate(
        installations.visible_installations(viewer, include_uninstalled=include_uninstalled),
        first=first,
        after=after,
        to_node=Installation.from_model,
    )


async def uninstall_app(
    info: Info,
    input: Annotated[
        UninstallAppInput, strawberry.argument(description="The installation to remove.")
    ],
) -> UninstallAppPayload:
    viewer = await info.context.require_viewer()

    async def uninstall() -> m.Installation:
        feedback = install_events.check_feedback(input.reason, input.reason_text)
        return await installations.uninstall_by_user(
            viewer,
            decode_id(input.installation_id, "Installation"),
            now=info.context.clock.now(),
            feedback=feedback,
        )

    outcome = await attempt(uninstall())
    if outcome.value is None:
        return UninstallAppPayload(user_errors=outcome.user_errors)
    return UninstallAppPayload(installation=Installation.from_model(outcome.value))
