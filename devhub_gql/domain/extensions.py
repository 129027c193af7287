"""App extensions: the places an app adds itself to the CRM's interface (action menu items,
panels, modals, a floating window, a settings page), their rules, and the token an extension
gets when a user opens it.

An extension is a kind and a definition (a plain dict of the kind's fields). Secrets in a
definition (the JWT secret, a JSON panel's HTTP Basic password) are stored encrypted; everything
else is shown as saved. On an approved or published app the list of extensions is a critical
field: edits wait in the pending revision (devhub_gql.domain.revisions) like scopes do; the
commands that edit it are in devhub_gql.domain.extension_edits.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import jwt

from devhub_gql import sql
from devhub_gql.domain import extension_schemas, secrets, versions
from devhub_gql.domain.accounts import Viewer
from devhub_gql.domain.errors import ErrorCode, Forbidden, NotFound, UserError, UserErrors
from devhub_gql.domain.validation import check_length, clean_text, is_secure_url
from devhub_gql.models import App, AppExtension, AppStatus

EXTENSION_KEY_PREFIX = "ext_"
TOKEN_LIFETIME = timedelta(minutes=5)
TOKEN_ALGORITHM = "HS256"
TOKEN_ISSUER = "devhub"
NAME_MAX = 30
DESCRIPTION_MAX = 150
SECRET_MAX = 256
JWT_SECRET_MIN = 32  # RFC 7518 §3.2: an HS256 key of at least 256 bits
USERNAME_MAX = 100
MENU_PER_LOCATION = 3
MENU_PER_APP = 21


class ExtensionKind(StrEnum):
    LINK_ACTION = "LINK_ACTION"
    JSON_MODAL = "JSON_MODAL"
    CUSTOM_MODAL = "CUSTOM_MODAL"
    JSON_PANEL = "JSON_PANEL"
    CUSTOM_PANEL = "CUSTOM_PANEL"
    FLOATING_WINDOW = "FLOATING_WINDOW"
    SETTINGS_PAGE = "SETTINGS_PAGE"


class Location(StrEnum):
    DEAL_DETAILS = "DEAL_DETAILS"
    PERSON_DETAILS = "PERSON_DETAILS"
    ORGANIZATION_DETAILS = "ORGANIZATION_DETAILS"
    DEALS_LIST = "DEALS_LIST"
    PEOPLE_LIST = "PEOPLE_LIST"
    ORGANIZATIONS_LIST = "ORGANIZATIONS_LIST"
    ACTIVITIES_LIST = "ACTIVITIES_LIST"


DETAIL_VIEWS = frozenset(
    {Location.DEAL_DETAILS, Location.PERSON_DETAILS, Location.ORGANIZATION_DETAILS}
)
# The `resource` and `view` query parameters an extension opened at a location receives.
LOCATION_CONTEXT: dict[Location, tuple[str, str]] = {
    Location.DEAL_DETAILS: ("deal", "details"),
    Location.PERSON_DETAILS: ("person", "details"),
    Location.ORGANIZATION_DETAILS: ("organization", "details"),
    Location.DEALS_LIST: ("deal", "list"),
    Location.PEOPLE_LIST: ("person", "list"),
    Location.ORGANIZATIONS_LIST: ("organization", "list"),
    Location.ACTIVITIES_LIST: ("activity", "list"),
}


class EntryPoint(StrEnum):
    """Where a floating window opens from."""

    TOP_BAR = "TOP_BAR"
    PHONE_NUMBER = "PHONE_NUMBER"


class SettingsType(StrEnum):
    EXTERNAL_LINK = "EXTERNAL_LINK"
    CUSTOM_UI = "CUSTOM_UI"


class Family(StrEnum):
    MENU = "MENU"  # the actions menu: links and modals, 3 per location, 21 per app
    PANEL = "PANEL"  # a detail view's sidebar: one panel per view
    FLOATING = "FLOATING"  # one per app
    SETTINGS = "SETTINGS"  # one per app


# The fields of a definition, by the name the API uses for them (snake case).
NAME, DESCRIPTION, URL, LOCATIONS, ENTRY_POINTS = (
    "name",
    "description",
    "url",
    "locations",
    "entry_points",
)
HEIGHT, WIDTH, JSON_SCHEMA, SETTINGS_TYPE = "height", "width", "json_schema", "settings_type"
HTTP_USERNAME, HTTP_PASSWORD, JWT_SECRET = "http_username", "http_password", "jwt_secret"
SECRET_FIELDS = (HTTP_PASSWORD, JWT_SECRET)
ALL_FIELDS = (
    NAME,
    DESCRIPTION,
    URL,
    LOCATIONS,
    ENTRY_POINTS,
    HEIGHT,
    WIDTH,
    JSON_SCHEMA,
    SETTINGS_TYPE,
    HTTP_USERNAME,
    HTTP_PASSWORD,
    JWT_SECRET,
)

Problems = Callable[[object], list[extension_schemas.SchemaProblem]]


@dataclass(frozen=True)
class KindRules:
    family: Family
    fields: frozenset[str]
    required: frozenset[str]
    locations: frozenset[Location] = frozenset()  # where it may be placed
    height: tuple[int, int | None] | None = None  # (at least, at most) in px
    width: tuple[int, int | None] | None = None
    schema_problems: Problems | None = None
    interactive: bool = False  # listed among the listing's interactive features


_COMMON = frozenset({NAME, DESCRIPTION, URL, JWT_SECRET})
RULES: dict[ExtensionKind, KindRules] = {
    ExtensionKind.LINK_ACTION: KindRules(
        Family.MENU, _COMMON | {LOCATIONS}, frozenset({NAME, URL, LOCATIONS}), frozenset(Location)
    ),
    ExtensionKind.JSON_MODAL: KindRules(
        Family.MENU,
        _COMMON | {LOCATIONS, JSON_SCHEMA},
        frozenset({NAME, URL, LOCATIONS, JSON_SCHEMA}),
        frozenset(Location),
        schema_problems=extension_schemas.modal_schema_problems,
    ),
    # Without locations a custom modal opens only from the app's other extensions (the SDK).
    ExtensionKind.CUSTOM_MODAL: KindRules(
        Family.MENU,
        _COMMON | {LOCATIONS, HEIGHT, WIDTH},
        frozenset({NAME, URL}),
        frozenset(Location),
        height=(120, None),
        width=(320, None),
    ),
    ExtensionKind.JSON_PANEL: KindRules(
        Family.PANEL,
        _COMMON | {LOCATIONS, JSON_SCHEMA, HTTP_USERNAME, HTTP_PASSWORD},
        frozenset({NAME, URL, LOCATIONS, JSON_SCHEMA}),
        DETAIL_VIEWS,
        schema_problems=extension_schemas.panel_schema_problems,
    ),
    ExtensionKind.CUSTOM_PANEL: KindRules(
        Family.PANEL,
        _COMMON | {LOCATIONS, HEIGHT},
        frozenset({NAME, URL, LOCATIONS}),
        DETAIL_VIEWS,
        height=(100, 750),
    ),
    ExtensionKind.FLOATING_WINDOW: KindRules(
        Family.FLOATING,
        _COMMON | {ENTRY_POINTS, HEIGHT, WIDTH},
        frozenset({NAME, DESCRIPTION, URL}),
        height=(70, 700),
        width=(200, 800),
        interactive=True,
    ),
    ExtensionKind.SETTINGS_PAGE: KindRules(
        Family.SETTINGS,
        frozenset({NAME, URL, SETTINGS_TYPE, JWT_SECRET}),
        frozenset({URL, SETTINGS_TYPE}),
    ),
}
# Kinds whose page runs inside the CRM (an iframe): they get the SDK's runtime `id`.
IFRAME_KINDS = frozenset(
    {ExtensionKind.CUSTOM_MODAL, ExtensionKind.CUSTOM_PANEL, ExtensionKind.FLOATING_WINDOW}
)


@dataclass(frozen=True)
class Extension:
    """One extension as stored: in the live rows or in a pending revision's list."""

    key: str
    kind: ExtensionKind
    definition: dict[str, Any]  # secrets encrypted

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind.value, **self.definition}

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> Extension:
        rest = {name: item for name, item in value.items() if name not in ("key", "kind")}
        return cls(key=str(value["key"]), kind=ExtensionKind(value["kind"]), definition=rest)

    @property
    def rules(self) -> KindRules:
        return RULES[self.kind]

    def shown(self) -> dict[str, Any]:
        """The definition without its secrets, and whether each secret is set."""
        plain = {k: v for k, v in self.definition.items() if k not in SECRET_FIELDS}
        return {**plain, **{f"has_{name}": name in self.definition for name in SECRET_FIELDS}}


# Reading ------------------------------------------------------------------------------------


async def live_extensions(app_ids: Sequence[int]) -> dict[int, list[Extension]]:
    """The live extensions of each app, in the order they were added."""
    if not app_ids:
        return {}
    found: dict[int, list[Extension]] = {app_id: [] for app_id in app_ids}
    rows = await sql.rows(
        "SELECT app_id, key, kind, definition FROM app_extension"
        f" WHERE app_id {sql.one_of(app_ids)} ORDER BY app_id, position",
        *app_ids,
    )
    for row in rows:
        found[int(row["app_id"])].append(
            Extension(row["key"], ExtensionKind(row["kind"]), sql.json_value(row["definition"]))
        )
    return found


async def extensions_by_app(app_ids: Sequence[int]) -> list[list[Extension]]:
    """For a DataLoader: the live extensions of each app, in the ids' order."""
    found = await live_extensions(app_ids)
    return [found[app_id] for app_id in app_ids]


async def extensions_of(app_id: int) -> list[Extension]:
    return (await live_extensions([app_id]))[app_id]


@dataclass(frozen=True)
class Feature:
    """An extension as the listing's Features section shows it."""

    kind: ExtensionKind
    name: str
    description: str | None
    interactive: bool


def new_key() -> str:
    return EXTENSION_KEY_PREFIX + random.token_hex(8)


def features(extensions: Sequence[Extension]) -> list[Feature]:
    """The named extensions (a settings page has no name, so is no feature)."""
    return [
        Feature(e.kind, e.definition[NAME], e.definition.get(DESCRIPTION), e.rules.interactive)
        for e in extensions
        if e.definition.get(NAME)
    ]


def as_list(extensions: Sequence[Extension]) -> list[dict[str, Any]]:
    """The list a pending revision and a submission snapshot hold."""
    return [extension.as_dict() for extension in extensions]


# Validating ---------------------------------------------------------------------------------


@dataclass
class _Check:
    """The problems of one save, all collected before any is raised."""

    allow_private: bool
    problems: list[UserError] = field(default_factory=list)

    def add(self, name: str, code: ErrorCode, message: str) -> None:
        self.problems.append(UserError(name, code, message))

    def text(self, name: str, value: Any, max_length: int, *, required: bool) -> str | None:
        cleaned = clean_text(value) if isinstance(value, str) else None
        if cleaned is None and required:
            self.add(name, ErrorCode.REQUIRED, "This field is required.")
        self.problems += check_length(name, cleaned, max_length)
        return cleaned

    def url(self, value: Any, *, required: bool) -> str | None:
        url = self.text(URL, value, 2048, required=required)
        if url is not None and not is_secure_url(url, allow_loopback_http=self.allow_private):
            self.add(URL, ErrorCode.HTTPS_REQUIRED, "Must be an absolute https URL.")
        return url

    def size(self, name: str, value: Any, bounds: tuple[int, int | None]) -> int | None:
        if value is None:
            return None
        low, high = bounds
        if not isinstance(value, int) or value < low or (high is not None and value > high):
            span = f"between {low} and {high}" if high is not None else f"at least {low}"
            self.add(name, ErrorCode.OUT_OF_RANGE, f"Must be {span} px.")
        return int(value) if isinstance(value, int) else None


def _enum_list(check: _Check, name: str, value: Any, allowed: frozenset[Any]) -> list[str]:
    items = list(dict.fromkeys(value or []))
    if not_here := [item for item in items if item not in allowed]:
        check.add(
            name,
            ErrorCode.NOT_ALLOWED_HERE,
            f"Not allowed for this kind of extension: {', '.join(map(str, not_here))}.",
        )
    return [str(item) for item in items]


def definition_of(
    kind: ExtensionKind,
    given: Mapping[str, Any],
    stored: Mapping[str, Any],
    *,
    secret_key: str,
    allow_private: bool,
) -> tuple[dict[str, Any], list[UserError]]:
    """The stored definition for the fields given over the stored ones, and what is wrong."""
    rules = RULES[kind]
    check = _Check(allow_private)
    for name in given:
        if name not in rules.fields and given[name] is not None:
            check.add(name, ErrorCode.NOT_ALLOWED_HERE, f"A {kind.value} has no {name}.")
    merged = {**stored, **{k: v for k, v in given.items() if k in rules.fields}}
    out: dict[str, Any] = {}
    if NAME in rules.fields:
        out[NAME] = check.text(NAME, merged.get(NAME), NAME_MAX, required=NAME in rules.required)
    if DESCRIPTION in rules.fields:
        out[DESCRIPTION] = check.text(
            DESCRIPTION,
            merged.get(DESCRIPTION),
            DESCRIPTION_MAX,
            required=DESCRIPTION in rules.required,
        )
    out[URL] = check.url(merged.get(URL), required=True)
    if LOCATIONS in rules.fields:
        out[LOCATIONS] = _enum_list(check, LOCATIONS, merged.get(LOCATIONS), rules.locations)
        if LOCATIONS in rules.required and not out[LOCATIONS]:
            check.add(LOCATIONS, ErrorCode.REQUIRED, "Choose at least one location.")
    if ENTRY_POINTS in rules.fields:
        out[ENTRY_POINTS] = _enum_list(
            check,
            ENTRY_POINTS,
            merged.get(ENTRY_POINTS) or [EntryPoint.TOP_BAR],
            frozenset(EntryPoint),
        )
    if rules.height is not None:
        out[HEIGHT] = check.size(HEIGHT, merged.get(HEIGHT), rules.height)
    if rules.width is not None:
        out[WIDTH] = check.size(WIDTH, merged.get(WIDTH), rules.width)
    if rules.schema_problems is not None:
        document = merged.get(JSON_SCHEMA)
        if document is None:
            check.add(JSON_SCHEMA, ErrorCode.REQUIRED, "This field is required.")
        for problem in rules.schema_problems(document) if document is not None else []:
            check.add(JSON_SCHEMA, ErrorCode.INVALID_SCHEMA, f"{problem.path}: {problem.message}")
        out[JSON_SCHEMA] = document
    if SETTINGS_TYPE in rules.fields:
        settings_type = merged.get(SETTINGS_TYPE)
        if settings_type is None:
            check.add(SETTINGS_TYPE, ErrorCode.REQUIRED, "This field is required.")
        out[SETTINGS_TYPE] = settings_type and str(settings_type)
        if settings_type == SettingsType.EXTERNAL_LINK and merged.get(JWT_SECRET):
            check.add(JWT_SECRET, ErrorCode.NOT_ALLOWED_HERE, "An external link is not signed.")
    if HTTP_USERNAME in rules.fields:
        out[HTTP_USERNAME] = check.text(
            HTTP_USERNAME, merged.get(HTTP_USERNAME), USERNAME_MAX, required=False
        )
    for name in SECRET_FIELDS:
        if name not in rules.fields:
            continue
        if name in given:  # a new value (encrypted now), or null to remove it
            value = check.text(name, given[name], SECRET_MAX, required=False)
            if value is not None and name in stored and _same(secret_key, stored[name], value):
                out[name] = stored[name]  # the same secret: the same stored text
                continue
            if name == JWT_SECRET and value is not None and len(value) < JWT_SECRET_MIN:
                check.add(
                    name, ErrorCode.TOO_SHORT, f"Must be at least {JWT_SECRET_MIN} characters."
                )
            if value is not None:
                out[name] = secrets.encrypt(secret_key, value)
        elif name in stored:
            out[name] = stored[name]
    if kind == ExtensionKind.JSON_PANEL:
        basic = out.get(HTTP_USERNAME) is not None, HTTP_PASSWORD in out
        if any(basic) and not all(basic):
            check.add(
                HTTP_USERNAME if not basic[0] else HTTP_PASSWORD,
                ErrorCode.REQUIRED,
                "HTTP Basic needs both a username and a password.",
            )
        if not all(basic) and JWT_SECRET not in out:
            check.add(
                JWT_SECRET,
                ErrorCode.REQUIRED,
                "A JSON panel needs HTTP Basic credentials, a JWT secret, or both.",
            )
    return {k: v for k, v in out.items() if v is not None}, check.problems


def _same(secret_key: str, stored: str, value: str) -> bool:
    try:
        return secrets.decrypt(secret_key, stored) == value
    except secrets.SecretUnreadable:  # stored under another key: replaced by the new value
        return False


def limit_problems(extensions: Sequence[Extension]) -> list[UserError]:
    """The per-app limits over the whole list."""
    problems: list[UserError] = []
    menu = [e for e in extensions if e.rules.family == Family.MENU]
    if len(menu) > MENU_PER_APP:
        problems.append(
            UserError(
                None,
                ErrorCode.TOO_MANY_EXTENSIONS,
                f"At most {MENU_PER_APP} menu extensions (links and modals) per app.",
            )
        )
    per_location = Counter(place for e in menu for place in e.definition.get(LOCATIONS, []))
    problems += [
        UserError(
            LOCATIONS,
            ErrorCode.LOCATION_FULL,
            f"At most {MENU_PER_LOCATION} menu extensions in {place}.",
        )
        for place, count in sorted(per_location.items())
        if count > MENU_PER_LOCATION
    ]
    panels = Counter(
        place
        for e in extensions
        if e.rules.family == Family.PANEL
        for place in e.definition.get(LOCATIONS, [])
    )
    problems += [
        UserError(LOCATIONS, ErrorCode.LOCATION_FULL, f"{place} already has a panel of this app.")
        for place, count in sorted(panels.items())
        if count > 1
    ]
    for family, label in ((Family.FLOATING, "floating window"), (Family.SETTINGS, "settings page")):
        if sum(e.rules.family == family for e in extensions) > 1:
            problems.append(
                UserError(None, ErrorCode.TOO_MANY_EXTENSIONS, f"An app has one {label} at most.")
            )
    return problems


async def replace_live(app: App, extensions: Sequence[Extension]) -> None:
    await AppExtension.filter(app_id=app.id).delete()
    await AppExtension.bulk_create(
        [
            AppExtension(
                app_id=app.id, key=e.key, kind=e.kind.value, position=i, definition=e.definition
            )
            for i, e in enumerate(extensions)
        ]
    )
    if app.status == AppStatus.PUBLISHED:
        await versions.public_changed()  # the listing's features


# Review -------------------------------------------------------------------------------------


def diff(
    live: Sequence[Mapping[str, Any]], proposed: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Extensions added, removed, and changed field by field (secrets only as 'changed')."""
    old = {item["key"]: item for item in live}
    new = {item["key"]: item for item in proposed}

    def summary(item: Mapping[str, Any]) -> dict[str, Any]:
        return {"key": item["key"], "kind": item["kind"], "name": item.get(NAME)}

    changed = []
    for key in new.keys() & old.keys():
        fields = []
        for name in ALL_FIELDS:
            before, after = old[key].get(name), new[key].get(name)
            if before == after:
                continue
            if name in SECRET_FIELDS:
                before, after = _secret_state(before), _secret_state(after)
            fields.append({"field": name, "old": as_text(before), "new": as_text(after)})
        if fields:
            changed.append({**summary(new[key]), "fields": fields})
    return {
        "extensions_added": [summary(new[k]) for k in new if k not in old],
        "extensions_removed": [summary(old[k]) for k in old if k not in new],
        "extensions_changed": sorted(changed, key=lambda item: list(new).index(item["key"])),
    }


def _secret_state(value: Any) -> str | None:
    return "(set)" if value is not None else None


def as_text(value: Any) -> str | None:
    """A value as a diff shows it: text as it is, anything else as JSON."""
    if value is None or isinstance(value, str):
        return value
    return sql.json_text(value)


# Launching ----------------------------------------------------------------------------------


def default_signing_secret(client_id: str, secret_key: str) -> str:
    """The app's extension-signing secret where an extension sets none. Pipedrive signs with the
    client secret, which here exists only as a digest; this one is derived instead, so it is never
    stored and the app's developers can read it at any time (as the webhook secret)."""
    key = hmac.new(
        secret_key.encode(), f"extension-signing:{client_id}".encode(), hashlib.sha256
    ).digest()
    return "dhxs_" + base64.urlsafe_b64encode(key).decode().rstrip("=")


def signing_secret(extension: Extension, client_id: str, secret_key: str) -> str:
    if JWT_SECRET in extension.definition:
        return secrets.decrypt(secret_key, extension.definition[JWT_SECRET])
    return default_signing_secret(client_id, secret_key)


@dataclass(frozen=True)
class LaunchContext:
    """Where in the CRM the user opens the extension."""

    location: Location | None = None
    selected_ids: Sequence[str] = ()
    excluded_ids: Sequence[str] = ()
    filter: str | None = None  # list views: the list's filter as JSON text


@dataclass(frozen=True)
class Launch:
    url: str
    token: str
    expires_at: datetime
    extension: Extension


def sign_token(
    extension: Extension,
    *,
    client_id: str,
    user_id: int,
    company_id: int,
    secret: str,
    now: datetime,
) -> str:
    return jwt.encode(
        {
            "iss": TOKEN_ISSUER,
            "aud": extension.key,
            "sub": str(user_id),
            "userId": user_id,
            "companyId": company_id,
            "clientId": client_id,
            "iat": int(now.timestamp()),
            "exp": int((now + TOKEN_LIFETIME).timestamp()),
        },
        secret,
        algorithm=TOKEN_ALGORITHM,
    )


def _with_query(url: str, parameters: Mapping[str, str]) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(parameters)) if q)
    return urlunsplit(parts._replace(query=query))


_INSTALLED_SQL = (
    "SELECT a.client_id FROM app_extension e JOIN app a ON a.id = e.app_id"
    " JOIN installation i ON i.app_id = a.id"
    " WHERE e.key = ? AND i.user_id = ? AND i.company_id = ? AND i.uninstalled_at IS NULL"
    " AND a.deleted_at IS NULL"
)


async def launch(
    viewer: Viewer, key: str, context: LaunchContext, *, secret_key: str, now: datetime
) -> Launch:
    """The URL to open for a live extension, with its context and a short-lived signed token,
    for a user who has the app installed in their company."""
    row = await AppExtension.filter(key=key).first()
    if row is None:
        raise NotFound("No extension with this id.")
    extension = Extension(row.key, ExtensionKind(row.kind), row.definition)
    found = await sql.row(_INSTALLED_SQL, key, viewer.user.id, viewer.company_id)
    if found is None:
        raise NotInstalled()
    client_id = str(found["client_id"])
    locations = extension.definition.get(LOCATIONS)
    if context.location is not None and locations is not None and context.location not in locations:
        raise UserErrors.single(
            "location", ErrorCode.NOT_ALLOWED_HERE, "The extension is not placed there."
        )
    token = sign_token(
        extension,
        client_id=client_id,
        user_id=viewer.user.id,
        company_id=viewer.company_id,
        secret=signing_secret(extension, client_id, secret_key),
        now=now,
    )
    parameters: dict[str, str] = {
        "userId": str(viewer.user.id),
        "companyId": str(viewer.company_id),
    }
    if context.location is not None and extension.kind != ExtensionKind.FLOATING_WINDOW:
        resource, view = LOCATION_CONTEXT[context.location]
        parameters |= {
            "resource": resource,
            "view": view,
            "selectedIds": ",".join(context.selected_ids),
        }
        if view == "list":
            parameters["excludedIds"] = ",".join(context.excluded_ids)
            parameters["filter"] = context.filter or ""
    if extension.kind in IFRAME_KINDS or (
        extension.kind == ExtensionKind.SETTINGS_PAGE
        and extension.definition.get(SETTINGS_TYPE) == SettingsType.CUSTOM_UI
    ):
        parameters["id"] = extension.key
    parameters["token"] = token
    return Launch(
        url=_with_query(extension.definition[URL], parameters),
        token=token,
        expires_at=now + TOKEN_LIFETIME,
        extension=extension,
    )


class NotInstalled(Forbidden):
    code = "APP_NOT_INSTALLED"
    default_message = "The app of this extension is not installed for you; install it first."
