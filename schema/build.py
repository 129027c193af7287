"""The one place that assembles the public schema: root fields, extensions and limits."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator, Callable, Iterator, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError, GraphQLSchema
from strawberry import relay
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.scalars import JSON
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import validate_document
from strawberry.schema.types.base_scalars import DateTimeDefinition
from strawberry.types.execution import ExecutionContext
from strawberry.types.scalar import ScalarDefinition

from devhub_gql import documents
from resolvers import (
    accounts,
    apps,
    catalog,
    extensions,
    installations,
    lifecycle,
    live,
    manifests,
    marketplace,
    nodes,
    ratings,
)
from resolvers.notifications import (
    notification_settings_of_viewer,
    notifications_of_app,
    set_notification_setting,
)
from schema.accounts import AddCompanyMemberPayload, Company, SignInPayload, SignOutPayload, User
from schema.analytics import AppAnalytics
from schema.apps import (
    App,
    AppPayload,
    AppWithSecretPayload,
    DeleteAppPayload,
    SubmitAppForReviewPayload,
    UninstallNotice,
)
from schema.catalogue import Category, Scope
from schema.errors import shape_errors
from schema.execution import PlainFieldsExecutor
from schema.extensions import (
    AppExtensionPayload,
    CheckAppExtensionPayload,
    OpenAppExtensionPayload,
)
from schema.installations import (
    AuthorizationPayload,
    AuthorizationRequest,
    Installation,
    UninstallAppPayload,
)
from schema.live import AppEvent
from schema.manifests import ApplyAppManifestPayload
from schema.marketplace import MarketplaceApp, MarketplaceCollection
from schema.notifications import (
    Notification,
    NotificationSetting,
    SetNotificationSettingPayload,
)
from schema.pagination import MAX_PAGE_SIZE, Connection
from schema.ratings import (
    DeleteAppRatingPayload,
    ReportReviewPayload,
    ReviewPayload,
)
from schema.reviews import Submission
from schema.scopes import COMPANY, PUBLIC, VIEWER
from schema.text_arguments import guard_text_arguments

MAX_ALIASES = 30

# Serialised exactly as strawberry's own DateTime; only the description says more.
SCALARS: Mapping[object, ScalarDefinition] = {
    datetime: dataclasses.replace(
        DateTimeDefinition,
        description="A date and time in ISO 8601 with its offset, always UTC from this service, "
        "e.g. 2026-01-31T09:30:00+00:00.",
        implementation=None,
    )
}


@strawberry.type(
    description="What clients read: the viewer, the catalogues, the company's apps, the "
    "marketplace, installations and the consent screen."
)
class Query:
    viewer: User | None = strawberry.field(
        resolver=accounts.viewer,
        description="The signed-in user, or null when anonymous.",
        directives=VIEWER,
    )
    scopes: list[Scope] = strawberry.field(
        resolver=catalog.scopes,
        description="The access-scope catalogue.",
        directives=PUBLIC,
    )
    categories: list[Category] = strawberry.field(
        resolver=catalog.categories,
        description="The marketplace categories.",
        directives=PUBLIC,
    )
    app: App = strawberry.field(
        resolver=apps.app, description="An app of the viewer's company.", directives=COMPANY
    )
    app_manifest: JSON = strawberry.field(
        resolver=manifests.app_manifest,
        description="An app of the viewer's company as one JSON document (registration, "
        "listing, scopes, extensions; never a secret), valid against the JSON Schema at "
        "/schemas/app-manifest.v1.json. The values are what the developer last saved, the "
        "pending revision's where one is open. Apply it back with applyAppManifest.",
        directives=COMPANY,
    )
    app_analytics: AppAnalytics = strawberry.field(
        resolver=apps.app_analytics,
        description="An app's installs, re-installs, uninstalls, active installations and "
        "token refreshes per UTC day (at most 366 days), with the reasons users gave for "
        "uninstalling; for the app's own company. Refreshes counted by other processes arrive "
        "within one outbox pass (DEVHUB_OUTBOX_POLL_SECONDS).",
        directives=COMPANY,
    )
    notifications: Connection[Notification] = strawberry.field(
        resolver=notifications_of_app,
        description="The emails sent to the app's developers about it, newest first.",
        directives=COMPANY,
    )
    notification_settings: list[NotificationSetting] = strawberry.field(
        resolver=notification_settings_of_viewer,
        description="Which notification emails the viewer gets.",
        directives=VIEWER,
    )
    uninstall_notices: Connection[UninstallNotice] = strawberry.field(
        resolver=apps.uninstall_notices,
        description="The uninstall notices sent to an app's callback URL, newest first.",
        directives=COMPANY,
    )
    apps: Connection[App] = strawberry.field(
        resolver=apps.apps_of_company,
        description=f"The viewer's company's apps, newest first; `first` ≤ {MAX_PAGE_SIZE}.",
        directives=COMPANY,
    )
    marketplace_apps: Connection[MarketplaceApp] = strawberry.field(
        resolver=marketplace.marketplace_apps,
        description="Published apps; search by text, filter by category slug. No sign-in needed.",
        directives=PUBLIC,
    )
    marketplace_collections: list[MarketplaceCollection] = strawberry.field(
        resolver=marketplace.marketplace_collections,
        description="The named collections (top rated, trending, newest, apps with extensions, "
        "one per category), each with its first apps; empty ones are left out.",
        directives=PUBLIC,
    )
    marketplace_app: MarketplaceApp = strawberry.field(
        resolver=marketplace.marketplace_app,
        description="One listing by id or slug; unpublished (approved) apps stay reachable here.",
        directives=PUBLIC,
    )
    authorization_request: AuthorizationRequest = strawberry.field(
        resolver=installations.authorization_request,
        description="What the consent screen shows for an /oauth/authorize request.",
        directives=VIEWER,
    )
    installations: Connection[Installation] = strawberry.field(
        resolver=installations.installations_of_viewer,
        description="The viewer's installed apps; a company admin sees the whole company's.",
        directives=VIEWER,
    )
    node: relay.Node = strawberry.field(
        resolver=nodes.node, description="Any object by global id.", directives=VIEWER
    )


@strawberry.type(
    description="Every change: each takes one `input` and returns a payload whose `userErrors` "
    "say why it was refused."
)
class Mutation:
    sign_up: SignInPayload = strawberry.mutation(
        resolver=accounts.sign_up,
        description="Create a company and its first user (its admin), and sign in.",
    )
    sign_in: SignInPayload = strawberry.mutation(
        resolver=accounts.sign_in,
        description="Open a session with email and password; attempts are rate-limited per "
        "client IP (429 with Retry-After).",
    )
    sign_out: SignOutPayload = strawberry.mutation(
        resolver=accounts.sign_out,
        description="End the current session, or every session of the user, at once.",
    )
    add_company_member: AddCompanyMemberPayload = strawberry.mutation(
        resolver=accounts.add_company_member, description="Company admins only."
    )
    create_app: AppWithSecretPayload = strawberry.mutation(
        resolver=apps.create_app,
        description="Sandbox companies only; returns the client secret once.",
    )
    update_app: AppPayload = strawberry.mutation(
        resolver=apps.update_app,
        description="Change an app's fields, all checked before any is saved; refused while in "
        "review. On an approved app, critical fields wait in the pending revision.",
    )
    rotate_client_secret: AppWithSecretPayload = strawberry.mutation(
        resolver=apps.rotate_client_secret,
        description="A new client secret, shown once; the old one works for the grace period.",
    )
    submit_app_for_review: SubmitAppForReviewPayload = strawberry.mutation(
        resolver=lifecycle.submit_app_for_review,
        description="Checks every requirement at once and freezes what the reviewer will see.",
    )
    withdraw_app_from_review: AppPayload = strawberry.mutation(
        resolver=lifecycle.withdraw_app_from_review,
        description="Take the app, or its pending revision, back from review before a decision.",
    )
    publish_app: AppPayload = strawberry.mutation(
        resolver=lifecycle.publish_app, description="List an approved app in the marketplace."
    )
    unpublish_app: AppPayload = strawberry.mutation(
        resolver=lifecycle.unpublish_app,
        description="Hide from the marketplace; installs and direct links keep working.",
    )
    change_app_to_live: AppPayload = strawberry.mutation(
        resolver=lifecycle.change_app_to_live,
        description="Make a private DRAFT app LIVE, for good, once its callback URL answers.",
    )
    merge_pending_revision: AppPayload = strawberry.mutation(
        resolver=lifecycle.merge_pending_revision,
        description="Make an approved revision live.",
    )
    discard_pending_revision: AppPayload = strawberry.mutation(
        resolver=lifecycle.discard_pending_revision,
        description="Drop the pending revision, unless it is in review; the live app is kept.",
    )
    delete_app: DeleteAppPayload = strawberry.mutation(
        resolver=lifecycle.delete_app,
        description="Uninstalls the app for every user; cannot be undone.",
    )
    add_app_extension: AppExtensionPayload = strawberry.mutation(
        resolver=extensions.add_app_extension,
        description="Add an extension; every problem of the save and every per-app limit is "
        "reported at once. On an approved or published app it waits in the pending revision.",
    )
    update_app_extension: AppExtensionPayload = strawberry.mutation(
        resolver=extensions.update_app_extension,
        description="Change some fields of an extension, under the same rules as adding one.",
    )
    remove_app_extension: AppExtensionPayload = strawberry.mutation(
        resolver=extensions.remove_app_extension,
        description="Remove an extension (pending review on an approved or published app).",
    )
    check_app_extension: CheckAppExtensionPayload = strawberry.mutation(
        resolver=extensions.check_app_extension,
        description="Run the submission's automated check of one extension now (its page or "
        "endpoint answers over https; a JSON panel is called with a sample context and a signed "
        "token and must answer in time with data its schema accepts). Changes nothing.",
    )
    apply_app_manifest: ApplyAppManifestPayload = strawberry.mutation(
        resolver=manifests.apply_app_manifest,
        description="Make the app match a manifest, through the same rules as hand edits "
        "(critical changes of an approved or published app wait in the pending revision), all "
        "or nothing; dryRun returns the diff and saves nothing.",
    )
    open_app_extension: OpenAppExtensionPayload = strawberry.mutation(
        resolver=extensions.open_app_extension,
        description="For a user who has the app installed: the URL to open for a live "
        "extension, with its context and a signed token valid 5 minutes (a new one each call). "
        "Anyone else gets the error code APP_NOT_INSTALLED.",
    )
    rate_app: ReviewPayload = strawberry.mutation(
        resolver=ratings.rate_app,
        description="Rate a published app (1-5 stars, an optional review), or change one's "
        "rating; for users who have it installed or had it in the last 90 days, never its own "
        "developers. Earlier versions are kept for the marketplace's reviewers.",
    )
    delete_app_rating: DeleteAppRatingPayload = strawberry.mutation(
        resolver=ratings.delete_app_rating, description="Delete one's own rating of an app."
    )
    reply_to_review: ReviewPayload = strawberry.mutation(
        resolver=ratings.reply_to_review,
        description="The app's developers answer a review in public; once more edits the reply.",
    )
    mark_review_helpful: ReviewPayload = strawberry.mutation(
        resolver=ratings.mark_review_helpful,
        description="Mark someone else's review helpful, once.",
    )
    report_review: ReportReviewPayload = strawberry.mutation(
        resolver=ratings.report_review,
        description="Report a review to the marketplace's reviewers, once, with a reason.",
    )
    set_notification_setting: SetNotificationSettingPayload = strawberry.mutation(
        resolver=set_notification_setting,
        description="Turn one kind of notification email on or off for the viewer (security "
        "notices stay on).",
    )
    approve_authorization: AuthorizationPayload = strawberry.mutation(
        resolver=installations.approve_authorization,
        description="Allow and install: returns the callback URL with a code and the state.",
    )
    deny_authorization: AuthorizationPayload = strawberry.mutation(
        resolver=installations.deny_authorization,
        description="Cancel: returns the callback URL with error=user_denied.",
    )
    uninstall_app: UninstallAppPayload = strawberry.mutation(
        resolver=installations.uninstall_app,
        description="By the user who installed it or a company admin; the app is notified.",
    )


guard_text_arguments(Query, Mutation)


@strawberry.type(
    description="Live updates over WebSocket (graphql-transport-ws at /graphql; send the session "
    'token in connection_init: {"authorization": "Bearer <token>"}).'
)
class Subscription:
    app_events: AsyncGenerator[AppEvent, None] = strawberry.subscription(
        resolver=live.app_events,
        description="An app's history as it is committed (submitted, decided, published, ...), for "
        "its own developers; access is checked again before every event, and the subscription "
        "ends with the session or the app.",
    )


class DevhubSchema(strawberry.Schema):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(execution_context_class=PlainFieldsExecutor, **kwargs)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        shape_errors(errors, execution_context)


class PreparedDocuments(SchemaExtension):
    """Each distinct document parsed (at most MAX_TOKENS tokens) and validated once, with the depth
    and alias limits among the rules.

    One extension in place of strawberry's MaxTokensLimiter, ParserCache, ValidationCache and
    AddValidationRules: each of their hooks is entered and left on every request, which cost more
    than the cached parse and validation they wrap.
    """

    def __init__(self, limit_rules: tuple[type[ASTValidationRule], ...]) -> None:
        self.limit_rules = limit_rules

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None:
            context.graphql_document = documents.parsed(context.query)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        query, document = context.query, context.graphql_document
        assert query is not None and document is not None  # parsed above, or refused there
        rules = (*context.validation_rules, *self.limit_rules)
        schema = context.schema._schema
        found = (
            _validated(schema, query, rules)
            if documents.is_cached(query)
            else validate_document(schema, document, rules)
        )
        # A copy: the errors are shaped in place on their way out (shape_errors).
        context.pre_execution_errors = list(found)
        yield


@lru_cache(maxsize=1024)
def _validated(
    schema: GraphQLSchema, query: str, rules: tuple[type[ASTValidationRule], ...]
) -> list[GraphQLError]:
    # Keyed by the text: a parsed document hashes its whole tree on every lookup.
    return validate_document(schema, documents.parsed(query), rules)


def schema_extensions(
    *, introspection: bool, max_depth: int
) -> list[type[SchemaExtension] | Callable[[], SchemaExtension]]:
    # The limiters build their rule classes once, here: a limiter made per request makes new
    # classes each time, so the validation cache never matches and every request is validated.
    limit_rules = (
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
    )
    chosen: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: PreparedDocuments(limit_rules)
    ]
    if not introspection:
        chosen.append(DisableIntrospection)
    return chosen


def create_schema(*, introspection: bool = True, max_depth: int = 12) -> strawberry.Schema:
    return DevhubSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[App, User, Company, Submission, Installation],
        extensions=schema_extensions(introspection=introspection, max_depth=max_depth),
        config=StrawberryConfig(disable_field_suggestions=True, relay_max_results=MAX_PAGE_SIZE),
        scalar_overrides=SCALARS,
    )
