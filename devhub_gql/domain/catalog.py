"""The scope and category catalogues, and the rules on scope sets.

Scopes follow the platform we model: `base` is always granted, `X:full` includes `X:read`.
`sync_catalogues` writes this data into the database; it runs after every migration, so editing
the lists below and running `devhub-gql migrate` updates a deployed service.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from devhub_gql.models import Category, MarketplaceState, Scope

BASE_SCOPE = "base"
ADMIN_SCOPE = "admin"


@dataclass(frozen=True)
class ScopeEntry:
    name: str
    label: str
    description: str
    endpoints: tuple[str, ...]


SCOPES: tuple[ScopeEntry, ...] = (
    ScopeEntry(
        "base",
        "Access to basic information",
        "Read the installing user's profile, settings, connections and currencies.",
        ("/users/me", "/userConnections", "/userSettings", "/currencies"),
    ),
    ScopeEntry(
        "deals:read",
        "Deals: Read only",
        "Read deals and everything attached to them, pipelines, stages and statistics.",
        (
            "/deals",
            "/dealFields",
            "/pipelines",
            "/stages",
            "/filters",
            "/notes",
            "/files",
            "/subscriptions",
        ),
    ),
    ScopeEntry(
        "deals:full",
        "Deals: Full access",
        "Create, read, update and delete deals, their products, followers and participants.",
        (
            "/deals",
            "/dealFields",
            "/pipelines",
            "/stages",
            "/filters",
            "/notes",
            "/files",
            "/subscriptions",
        ),
    ),
    ScopeEntry(
        "mail:read",
        "Mail: Read only",
        "Read mail threads and messages.",
        ("/mailbox/mailThreads", "/mailbox/mailMessages"),
    ),
    ScopeEntry(
        "mail:full",
        "Mail: Full access",
        "Read, update and delete mail threads.",
        ("/mailbox/mailThreads", "/mailbox/mailMessages"),
    ),
    ScopeEntry(
        "activities:read",
        "Activities: Read only",
        "Read activities, activity fields and types, their files and filters.",
        ("/activities", "/activityFields", "/activityTypes", "/files", "/filters"),
    ),
    ScopeEntry(
        "activities:full",
        "Activities: Full access",
        "Create, read, update and delete activities and their files and filters.",
        ("/activities", "/activityFields", "/activityTypes", "/files", "/filters"),
    ),
    ScopeEntry(
        "contacts:read",
        "Contacts: Read only",
        "Read persons and organizations, their fields, followers, notes and files.",
        (
            "/persons",
            "/organizations",
            "/personFields",
            "/organizationFields",
            "/organizationRelationships",
            "/notes",
            "/files",
            "/filters",
        ),
    ),
    ScopeEntry(
        "contacts:full",
        "Contacts: Full access",
        "Create, read, update and delete persons, organizations and their relationships.",
        (
            "/persons",
            "/organizations",
            "/personFields",
            "/organizationFields",
            "/organizationRelationships",
            "/notes",
            "/files",
            "/filters",
        ),
    ),
    ScopeEntry(
        "products:read",
        "Products: Read only",
        "Read products, product fields, images, variations and followers.",
        ("/products", "/productFields"),
    ),
    ScopeEntry(
        "products:full",
        "Products: Full access",
        "Create, read, update and delete products and add them to deals.",
        ("/products", "/productFields", "/deals/{id}/products"),
    ),
    ScopeEntry(
        "users:read",
        "Read users data",
        "Read users, permissions, role settings and assignments, teams and billing add-ons.",
        ("/users", "/permissionSets", "/roles", "/legacyTeams", "/billing"),
    ),
    ScopeEntry(
        "recents:read",
        "See recent account activity",
        "Read recent changes and the flow of deals, persons and organizations.",
        ("/recents", "/deals/{id}/flow", "/persons/{id}/flow", "/organizations/{id}/flow"),
    ),
    ScopeEntry(
        "search:read",
        "Search for all data",
        "Search across every item type.",
        (
            "/itemSearch",
            "/deals/search",
            "/persons/search",
            "/organizations/search",
            "/products/search",
            "/leads/search",
        ),
    ),
    ScopeEntry(
        "admin",
        "Administer account",
        "Manage pipelines, stages, custom fields, activity types, users, roles and "
        "webhooks. Works only when the installing user is a company admin.",
        (
            "/pipelines",
            "/stages",
            "/dealFields",
            "/personFields",
            "/organizationFields",
            "/productFields",
            "/activityTypes",
            "/users",
            "/roles",
            "/permissionSets",
            "/webhooks",
        ),
    ),
    ScopeEntry(
        "leads:read",
        "Leads: Read only",
        "Read leads, lead labels and lead sources.",
        ("/leads", "/leadLabels", "/leadSources"),
    ),
    ScopeEntry(
        "leads:full",
        "Leads: Full access",
        "Create, read, update, delete and convert leads and their labels.",
        ("/leads", "/leadLabels", "/leadSources"),
    ),
    ScopeEntry(
        "phone-integration",
        "Call logs",
        "Create and read call logs with recordings.",
        ("/callLogs",),
    ),
    ScopeEntry("goals:read", "Goals: Read only", "Read goals and their results.", ("/goals",)),
    ScopeEntry(
        "goals:full", "Goals: Full access", "Create, read, update and delete goals.", ("/goals",)
    ),
    ScopeEntry(
        "video-calls",
        "Video calls integration",
        "Link users to a video call provider and create meetings.",
        ("/meetings/userProviderLinks",),
    ),
    ScopeEntry(
        "messengers-integration",
        "Messaging integration",
        "Connect a messaging channel and deliver its conversations.",
        ("/channels",),
    ),
    ScopeEntry(
        "projects:read",
        "Projects: Read only",
        "Read projects, tasks, boards, phases and templates.",
        ("/projects", "/tasks", "/projectTemplates"),
    ),
    ScopeEntry(
        "projects:full",
        "Projects: Full access",
        "Create, read, update and delete projects, tasks, boards and phases.",
        ("/projects", "/tasks", "/projectTemplates"),
    ),
    ScopeEntry(
        "webhooks:read", "Webhooks: Read only", "List the webhooks of the company.", ("/webhooks",)
    ),
    ScopeEntry(
        "webhooks:full",
        "Webhooks: Full access",
        "Create, read and delete webhooks.",
        ("/webhooks",),
    ),
)

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("accounting-invoicing", "Accounting & invoicing"),
    ("analytics-reporting", "Analytics & reporting"),
    ("calling", "Calling"),
    ("contact-management", "Contact management"),
    ("customer-support", "Customer support"),
    ("data-enrichment", "Data enrichment"),
    ("document-management", "Document management"),
    ("email-communication", "Email & communication"),
    ("lead-generation", "Lead generation"),
    ("marketing", "Marketing"),
    ("messaging", "Messaging"),
    ("productivity", "Productivity"),
    ("project-management", "Project management"),
    ("sales-intelligence", "Sales intelligence"),
    ("scheduling", "Scheduling"),
    ("video-conferencing", "Video conferencing"),
    ("workflow-automation", "Workflow automation"),
    ("other", "Other"),
)

SCOPE_NAMES = frozenset(entry.name for entry in SCOPES)
CATEGORY_SLUGS = frozenset(slug for slug, _ in CATEGORIES)
# Labels and descriptions are read from here, not from the tables: the tables are this data's
# copy (sync_catalogues), kept for the foreign keys.
SCOPE_BY_NAME = {entry.name: entry for entry in SCOPES}
CATEGORY_LABELS = dict(CATEGORIES)


SCOPE_POSITION = {entry.name: position for position, entry in enumerate(SCOPES)}


def in_catalogue_order(names: Iterable[str]) -> list[str]:
    return sorted(set(names), key=SCOPE_POSITION.__getitem__)


def live_scopes_sql(app: str) -> str:
    """SQL for the live scope names of the app row aliased `app`, in one text value (read it
    with scope_names): a page of apps gets its scopes in the page's own statement. Spelt as
    SQLite spells it; `sql.spelt` gives PostgreSQL its spelling."""
    return f"(SELECT group_concat(x.scope_id, ' ') FROM app_scope x WHERE x.app_id = {app}.id)"


def scope_names(joined: str | None) -> list[str]:
    return list(_scope_names(joined or ""))


# The few scope sets apps ask for recur on every page and every token call: each answer is
# worked out once (the catalogue never changes while the process runs).
@lru_cache(maxsize=4096)
def _scope_names(joined: str) -> tuple[str, ...]:
    return tuple(in_catalogue_order(joined.split()))


@cache
def implied_scopes(scope: str) -> frozenset[str]:
    """The scopes a granted scope covers: itself, and `X:read` for `X:full`."""
    if scope.endswith(":full"):
        return frozenset({scope, scope.removesuffix(":full") + ":read"})
    return frozenset({scope})


def expand_scopes(names: Iterable[str]) -> frozenset[str]:
    """Every scope a set of scopes covers."""
    return frozenset().union(*map(implied_scopes, names))


def normalize_scope_set(names: Iterable[str]) -> list[str]:
    """Catalogue order, no duplicates, and `X:read` dropped where `X:full` already covers it;
    names not in the catalogue are left out."""
    chosen = set(names) & SCOPE_NAMES
    covered = {implied for name in chosen for implied in implied_scopes(name) if implied != name}
    return in_catalogue_order(chosen - covered)


def covers(granted: Iterable[str], asked: Iterable[str]) -> bool:
    """Whether what a user granted includes everything the app asks for."""
    return expand_scopes(asked) <= expand_scopes(granted)


def effective_scopes(granted: Iterable[str], asked: Iterable[str]) -> list[str]:
    """What a token may do: what the user granted and the app still asks for, `X:full`
    covering `X:read` on both sides (an app going from `deals:read` to `deals:full` keeps its
    users' `deals:read` until they consent again; going back keeps `deals:read` for all)."""
    return list(_effective_scopes(tuple(granted), tuple(asked)))


@lru_cache(maxsize=4096)
def _effective_scopes(granted: tuple[str, ...], asked: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(normalize_scope_set(expand_scopes(granted) & expand_scopes(asked)))


async def sync_catalogues() -> None:
    """Reference data every deployment needs; safe to run again."""
    async with in_transaction():
        await MarketplaceState.get_or_create(id=1, defaults={"version": 0})
        for position, entry in enumerate(SCOPES):
            await Scope.update_or_create(
                name=entry.name,
                defaults={
                    "label": entry.label,
                    "description": entry.description,
                    "endpoints": list(entry.endpoints),
                    "position": position,
                },
            )
        for position, (slug, label) in enumerate(CATEGORIES):
            await Category.update_or_create(
                slug=slug, defaults={"label": label, "position": position}
            )
        # Cached anonymous responses include the catalogues: let every process drop them.
        await MarketplaceState.filter(id=1).update(version=F("version") + 1)
