"""The listing's GraphQL types and input fields, generated from its one declaration
(devhub_gql/domain/listing.py): a field declared there shows up here, described from its facts.

The category is declared there too but shown in a type's own way (a Category object on App and
MarketplaceApp, a slug on AppSnapshot and in UpdateAppInput), so each type declares it itself.
"""

from __future__ import annotations

from typing import Any

import strawberry

from devhub_gql import models as m
from devhub_gql.domain.listing import LISTING, Kind, ListingField
from schema.enums import described_enum

_SHOWN_AS: dict[Kind, Any] = {
    Kind.TEXT: str,
    Kind.URL: str,
    Kind.YOUTUBE_URL: str,
    Kind.EMAIL: str,
    Kind.URL_LIST: list[str],
    Kind.FLAG: bool,
}
_WRITTEN_AS = {
    Kind.URL: "an absolute http(s) URL",
    Kind.YOUTUBE_URL: "a YouTube video link",
    Kind.URL_LIST: "absolute http(s) URLs; the list replaces the old one",
    Kind.EMAIL: "an email address",
    Kind.CATEGORY: "a slug from `categories`",
}
CRITICAL_NOTE = "On an APPROVED or PUBLISHED app the change goes into the pending revision."
PLAIN = tuple(field for field in LISTING if field.kind != Kind.CATEGORY)
PUBLIC_PLAIN = tuple(field for field in PLAIN if field.public)


def _limits(field: ListingField) -> list[str]:
    limits = []
    if field.max_length:
        limits.append(f"≤ {field.max_length:,} characters")
    if field.max_items:
        limits.append(f"at most {field.max_items}")
    return limits


def shown(field: ListingField) -> str:
    """A field's description as its output types show it."""
    text = ", ".join([field.description, *_limits(field)])
    if field.kind not in (Kind.URL_LIST, Kind.FLAG) and not field.always_set:
        text += "; null when not set"
    if field.required_for_review:
        text += ". Required for review"
    return text + "."


def written(field: ListingField) -> str:
    """A field's description as UpdateAppInput shows it."""
    text = ", ".join([field.description, *filter(None, [_WRITTEN_AS.get(field.kind)])])
    text = ", ".join([text, *_limits(field)])
    text += "; it cannot be cleared." if field.always_set else "."
    return text + (f" {CRITICAL_NOTE}" if field.critical else "")


def _output_type(field: ListingField) -> Any:
    shown_as = _SHOWN_AS[field.kind]
    nullable = field.kind not in (Kind.URL_LIST, Kind.FLAG) and not field.always_set
    return shown_as | None if nullable else shown_as


def listing_type(
    name: str, description: str, fields: tuple[ListingField, ...], *bases: type
) -> type:
    """A Strawberry object type with one field per declared listing field."""
    namespace: dict[str, Any] = {
        "__module__": __name__,
        "__annotations__": {field.name: _output_type(field) for field in fields},
    }
    for field in fields:
        namespace[field.name] = strawberry.field(description=shown(field))
    return strawberry.type(type(name, bases, namespace), description=description)


def listing_input() -> type:
    """A Strawberry input type with the listing's fields: left out, a field stays as it is."""
    namespace: dict[str, Any] = {"__module__": __name__, "__annotations__": {}}
    for field in LISTING:
        written_as = str if field.kind == Kind.CATEGORY else _SHOWN_AS[field.kind]
        namespace["__annotations__"][field.name] = written_as | None
        namespace[field.name] = strawberry.field(
            default=strawberry.UNSET, description=written(field)
        )
    return strawberry.input(type("ListingInput", (), namespace))


AppType = described_enum(
    m.AppType,
    description="PUBLIC apps are reviewed and listed; PRIVATE apps are shared by link.",
    values={
        m.AppType.PUBLIC: "Reviewed before it goes live, then listed in the marketplace once "
        "published.",
        m.AppType.PRIVATE: "Never reviewed nor listed: it goes live with changeAppToLive and is "
        "installed through its link.",
    },
)
PublicListing = listing_type(
    "PublicListing",
    "The listing fields every customer sees.",
    PUBLIC_PLAIN,
)
Registration = listing_type(
    "Registration",
    "The listing plus what only the developers and reviewers see.",
    tuple(field for field in PLAIN if not field.public),
    PublicListing,
)


ListingInput = listing_input()


def shown_values(
    values: dict[str, Any], fields: tuple[ListingField, ...] = PLAIN
) -> dict[str, Any]:
    """The generated fields' values out of a complete dict of them by name, as the domain reads
    an app (every field, each as the model holds it)."""
    return {field.name: values[field.name] for field in fields}


def plain_values(
    values: dict[str, Any], fields: tuple[ListingField, ...] = PLAIN
) -> dict[str, Any]:
    """The generated fields' values out of a dict keyed by field name (a snapshot, a row); a
    field declared after a snapshot was frozen shows as not set."""
    found: dict[str, Any] = {}
    for field in fields:
        value = values.get(field.name)
        if field.kind == Kind.URL_LIST:
            value = list(value or [])
        elif field.kind == Kind.FLAG:
            value = bool(value)
        found[field.name] = value
    return found
