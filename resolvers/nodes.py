"""`node(id)`: any object by its global id, with the same visibility as its own query."""

from __future__ import annotations

import strawberry
from strawberry import relay

from devhub_gql.domain import accounts, apps, installations, marketplace, submissions
from devhub_gql.domain.errors import NotFound
from resolvers.marketplace import listings
from schema.context import Info
from schema.types import App, Company, Installation, Submission, User


async def node(info: Info, id: strawberry.ID) -> relay.Node:
    try:
        global_id = relay.GlobalID.from_id(id)
        row_id = int(global_id.node_id)
    except (ValueError, TypeError):
        raise NotFound("No object with this id.") from None
    if global_id.type_name == "MarketplaceApp":  # public: no sign-in needed
        return (await listings(info, [await marketplace.get_listing(app_id=row_id)]))[0]
    viewer = await info.context.require_viewer()
    match global_id.type_name:
        case "App":
            return App.from_model(await apps.get_app(viewer, row_id))
        case "User":
            return User.from_model(await accounts.get_colleague(viewer, row_id))
        case "Company":
            return Company.from_model(accounts.get_own_company(viewer, row_id))
        case "Installation":
            found = (
                await installations.visible_installations(viewer, include_uninstalled=True)
                .filter(id=row_id)
                .first()
            )
            if found is not None:
                return Installation.from_model(found)
        case "Submission":
            return Submission.from_model(await submissions.get_own_submission(viewer, row_id))
    raise NotFound("No object with this id.")
