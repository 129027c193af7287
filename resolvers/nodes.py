"""`node(id)`: any object by its global id, with the same visibility as its own query."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from devhub_gql.domain import accounts, apps, installations, marketplace, submissions
from devhub_gql.domain.errors import NotFound
from resolvers.base import NO_ROW, parse_global_id
from schema.accounts import Company, User
from schema.apps import App
from schema.context import Info
from schema.installations import Installation
from schema.marketplace import MarketplaceApp
from schema.reviews import Submission


async def node(
    info: Info,
    id: Annotated[
        strawberry.ID,
        strawberry.argument(description="The object's id, as its `id` field gave it."),
    ],
) -> relay.Node:
    """Every miss answers alike, whatever the type the id names (or fails to name)."""
    try:
        return await _node(info, id)
    except NotFound:
        raise NotFound("No object with this id.") from None


async def _node(info: Info, id: str) -> relay.Node:
    type_name, row_id = parse_global_id(id) or ("", NO_ROW)
    if type_name == "MarketplaceApp":  # public: no sign-in needed
        found = await marketplace.get_listing(app_id=row_id)
        return MarketplaceApp.of(found, info.context.settings.public_url)
    viewer = await info.context.require_viewer()  # for a malformed id too, as for an unknown one
    match type_name:
        case "App":
            return App.of(await apps.visible_app(viewer, row_id))
        case "User":
            return User.from_model(await accounts.get_colleague(viewer, row_id))
        case "Company":
            return Company.from_model(accounts.get_own_company(viewer, row_id))
        case "Installation":
            return Installation.from_model(await installations.get_installation(viewer, row_id))
        case "Submission":
            return Submission.from_model(await submissions.get_own_submission(viewer, row_id))
    raise NotFound()
