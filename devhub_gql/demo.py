"""Demo data for a newcomer: a developer with apps in every status (each public one with a JSON
panel and an action), a reviewer, and a customer who installed and reviewed the published app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from devhub_gql import events
from devhub_gql.domain import (
    accounts,
    apps,
    extension_edits,
    installations,
    publishing,
    ratings,
    reviews,
    submissions,
)
from devhub_gql.domain.accounts import Viewer
from devhub_gql.domain.extensions import ExtensionKind, Location
from devhub_gql.domain.lifecycle import move_app
from devhub_gql.domain.listing import demo_values
from devhub_gql.models import (
    AppType,
    AuditAction,
    CompanyKind,
    Installation,
    User,
    UserSession,
)

PASSWORD = "demo-password-2026"
DEVELOPER = "developer@devhub-demo.example"
REVIEWER = "reviewer@devhub-demo.example"
CUSTOMER = "customer@devhub-demo.example"


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str


async def _account(email: str, name: str, company: str, kind: CompanyKind, now: datetime) -> Viewer:
    if not await User.filter(email=email).exists():
        await accounts.sign_up(
            email=email,
            password=PASSWORD,
            name=name,
            company_name=company,
            company_kind=kind,
            now=now,
            session_ttl=timedelta(minutes=1),
        )
    user = await User.get(email=email).select_related("company")
    session = await UserSession.filter(user=user).first()
    assert session is not None  # sign_up opened one
    return Viewer.of(user, session)


_DEMO_PANEL_SCHEMA = {
    "type": "object",
    "properties": {
        "health": {"$ref": "#/definitions/label", "label": "Deal health"},
        "next_step": {"$ref": "#/definitions/text", "label": "Next step"},
    },
}


async def _extensions(developer: Viewer, app_id: int, secret_key: str, now: datetime) -> None:
    site = "https://devhub-demo.example"
    for kind, fields in (
        (
            ExtensionKind.JSON_PANEL,
            {
                "name": "Deal health",
                "description": "How the deal is doing, at a glance.",
                "url": f"{site}/panel",
                "locations": [Location.DEAL_DETAILS],
                "json_schema": _DEMO_PANEL_SCHEMA,
                "jwt_secret": "demo-panel-secret-of-at-least-32-chars",
            },
        ),
        (
            ExtensionKind.LINK_ACTION,
            {
                "name": "Open in the demo app",
                "url": f"{site}/open",
                "locations": [Location.DEAL_DETAILS, Location.DEALS_LIST],
            },
        ),
    ):
        await extension_edits.add_extension(
            developer, app_id, kind, fields, secret_key=secret_key, allow_private=False, now=now
        )


async def _rated(developer: Viewer, customer: Viewer, app_id: int, now: datetime) -> None:
    """The customer installs the app and reviews it; the developer replies."""
    async with events.transaction():
        await Installation.create(
            app_id=app_id,
            company_id=customer.company_id,
            user_id=customer.user.id,
            scopes=["base", "deals:read"],
            installed_at=now,
            updated_at=now,
        )
        await installations.count_installation(app_id, +1)
    review = await ratings.rate(
        customer,
        app_id,
        stars=4,
        title="Does what it says",
        body="Our pipeline finally matches the spreadsheet. Setup took five minutes.",
        now=now,
    )
    await ratings.reply(developer, review.id, "Thanks, Cleo! Reports land next month.", now=now)
    # Something for the moderation queue.
    await ratings.report(developer, review.id, "It promises reports the app lacks.", now=now)


async def _revised(
    developer: Viewer, app_id: int, now: datetime, allow_private: bool, secret_key: str
) -> None:
    """A revision in review: one more scope and a new callback, for the console's diff."""
    await apps.update_app(
        developer,
        app_id,
        changes={"callback_url": "https://devhub-demo.example/oauth/callback-v2"},
        scopes=["base", "deals:read", "contacts:read"],
        now=now,
    )
    await submissions.submit_for_review(
        developer,
        app_id,
        now=now,
        allow_private=allow_private,
        secret_key=secret_key,
        extension_timeout_seconds=1.0,
    )


async def _public_app(developer: Viewer, name: str, now: datetime, secret_key: str) -> int:
    created = await apps.create_app(
        developer,
        app_type=AppType.PUBLIC,
        name=name,
        callback_url="https://devhub-demo.example/oauth/callback",
        now=now,
    )
    await apps.update_app(
        developer, created.app.id, changes=demo_values(), scopes=["base", "deals:read"], now=now
    )
    await _extensions(developer, created.app.id, secret_key, now)
    return created.app.id


async def seed_demo(*, now: datetime, allow_private: bool, secret_key: str) -> list[DemoAccount]:
    """Idempotent for the accounts; adds one set of demo apps on each run."""
    developer = await _account(
        DEVELOPER, "Dana Developer", "Demo Apps Ltd", CompanyKind.SANDBOX, now
    )
    reviewer = await _account(
        REVIEWER, "Rui Reviewer", "Marketplace Team", CompanyKind.PRODUCTION, now
    )
    await accounts.set_reviewer(REVIEWER, True)
    reviewer.user.is_reviewer = True
    customer = await _account(CUSTOMER, "Cleo Customer", "Customer Co", CompanyKind.PRODUCTION, now)

    await _public_app(developer, "Draft Sync", now, secret_key)

    async def submitted(name: str) -> int:
        app_id = await _public_app(developer, name, now, secret_key)
        submitted = await submissions.submit_for_review(
            developer,
            app_id,
            now=now,
            allow_private=allow_private,
            secret_key=secret_key,
            extension_timeout_seconds=1.0,  # the demo's URLs do not exist
        )
        return submitted.submission.id

    await submitted("Review Radar")
    rejected = await submitted("Rejected Reports")
    await reviews.decide(
        reviewer,
        rejected,
        approve=False,
        note=None,
        reasons=[
            reviews.RejectionReason(
                reviews.RejectionCode.INCOMPLETE_LISTING, "Add a screenshot of the settings page."
            )
        ],
        now=now,
    )
    for name, publish in (("Approved Agenda", False), ("Published Pipeline", True)):
        submission_id = await submitted(name)
        decided = await reviews.decide(
            reviewer, submission_id, approve=True, note="Looks good.", reasons=[], now=now
        )
        if publish:
            await publishing.publish_app(developer, decided.app_id, now=now)
            await _rated(developer, customer, decided.app_id, now)
            await _revised(developer, decided.app_id, now, allow_private, secret_key)

    for name, live in (("Private Draft Tool", False), ("Private Live Tool", True)):
        created = await apps.create_app(
            developer,
            app_type=AppType.PRIVATE,
            name=name,
            callback_url="https://devhub-demo.example/private/callback",
            now=now,
        )
        if live:  # the demo callback does not exist, so skip the reachability check
            async with events.transaction():
                await move_app(
                    created.app, AuditAction.CHANGE_TO_LIVE, actor_id=developer.user.id, now=now
                )
    return [
        DemoAccount("developer (sandbox company, apps in every status)", DEVELOPER),
        DemoAccount("reviewer (review console at /backoffice/)", REVIEWER),
        DemoAccount("customer (production company)", CUSTOMER),
    ]
