"""The registration and listing fields of an app, each declared once.

Everything else is derived from this table: validation on save, the submission requirements and
automated checks, the snapshot and the revision diff, which edits wait in a pending revision, the
marketplace's projection, the GraphQL types and inputs, and the demo data. To add a field:
declare it here, add its column to models/apps.py, write the migration (`make migrations`) and
regenerate the SDL files (`make schema`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from devhub_gql import sql
from devhub_gql.domain.errors import ErrorCode


class Kind(StrEnum):
    TEXT = "text"
    URL = "url"  # an absolute http(s) URL
    YOUTUBE_URL = "youtube_url"  # a link to one YouTube video
    URL_LIST = "url_list"  # absolute http(s) URLs
    EMAIL = "email"
    FLAG = "flag"
    CATEGORY = "category"  # a slug from the category catalogue, stored as category_id


@dataclass(frozen=True)
class ReviewRefusal:
    """What submission answers when a field does not meet its requirement."""

    code: ErrorCode
    message: str


@dataclass(frozen=True)
class ListingField:
    name: str
    kind: Kind
    description: str  # what the field is, as one phrase; limits are added where shown
    max_length: int | None = None
    max_items: int | None = None
    always_set: bool = False  # can never be cleared (and never is null)
    required_for_review: bool = False
    critical: bool = False  # an edit of an approved or published app waits for review
    public: bool = False  # shown in the marketplace; otherwise developers and reviewers only
    example: Any = None  # what the demo data fills in
    refusal: ReviewRefusal | None = None  # when a missing value needs its own answer

    @property
    def column(self) -> str:
        return "category_id" if self.kind == Kind.CATEGORY else self.name

    @property
    def is_url(self) -> bool:
        return self.kind in (Kind.URL, Kind.YOUTUBE_URL, Kind.URL_LIST)

    @property
    def review_refusal(self) -> ReviewRefusal:
        """What submission answers when a field it requires is empty (or false)."""
        if self.refusal is not None:
            return self.refusal
        if self.kind == Kind.URL_LIST:
            return ReviewRefusal(ErrorCode.TOO_FEW, "Add at least one before review.")
        return ReviewRefusal(ErrorCode.REQUIRED, "Required before review.")

    def value_of(self, row: Any) -> Any:
        """The field's value on an app row (a model instance)."""
        value = getattr(row, self.column)
        if self.kind == Kind.URL_LIST:
            return list(value or [])
        return value

    def shown(self) -> str:
        """The description as the API shows it, limits and requirements included."""
        limits = []
        if self.max_length:
            limits.append(f"≤ {self.max_length:,} characters")
        if self.max_items:
            limits.append(f"at most {self.max_items}")
        text = self.description + (f", {', '.join(limits)}" if limits else "")
        if self.always_set:
            text += "; never empty"
        elif self.kind not in (Kind.URL_LIST, Kind.FLAG):
            text += "; null when not set"
        if self.required_for_review:
            text += ". Required for review"
        if self.critical:
            text += (
                ". Critical: on an approved or published app an edit waits in the pending revision"
            )
        if not self.public:
            text += ". Developers and reviewers only"
        return text + "."


LISTING: tuple[ListingField, ...] = (
    ListingField("name", Kind.TEXT, "The app's name", max_length=100, always_set=True, public=True),
    ListingField(
        "callback_url",
        Kind.URL,
        "The one OAuth redirect URI (https for review)",
        always_set=True,
        critical=True,
    ),
    ListingField(
        "category",
        Kind.CATEGORY,
        "The marketplace category, a slug from `categories`",
        required_for_review=True,
        critical=True,
        public=True,
        example="productivity",
    ),
    ListingField(
        "summary",
        Kind.TEXT,
        "A one-line pitch",
        max_length=150,
        required_for_review=True,
        public=True,
        example="Keeps your deals and your calendar in step.",
    ),
    ListingField(
        "icon_url",
        Kind.URL,
        "The icon's URL",
        required_for_review=True,
        public=True,
        example="https://devhub-demo.example/icon.png",
    ),
    ListingField(
        "listing_image_urls",
        Kind.URL_LIST,
        "Screenshots' URLs",
        max_items=5,
        required_for_review=True,
        public=True,
        example=["https://devhub-demo.example/screen-1.png"],
    ),
    ListingField(
        "description",
        Kind.TEXT,
        "The full description",
        max_length=1500,
        required_for_review=True,
        public=True,
        example="A demo app: every listing field is filled in so it can be sent to review.",
    ),
    ListingField("video_url", Kind.YOUTUBE_URL, "A YouTube video about the app", public=True),
    ListingField(
        "setup_instructions",
        Kind.TEXT,
        "How to set the app up once installed",
        max_length=1500,
        public=True,
    ),
    ListingField(
        "website_url",
        Kind.URL,
        "The app's website",
        required_for_review=True,
        public=True,
        example="https://devhub-demo.example",
    ),
    ListingField(
        "terms_of_service_url",
        Kind.URL,
        "The terms of service",
        required_for_review=True,
        public=True,
        example="https://devhub-demo.example/terms",
    ),
    ListingField(
        "privacy_policy_url",
        Kind.URL,
        "The privacy policy",
        required_for_review=True,
        public=True,
        example="https://devhub-demo.example/privacy",
    ),
    ListingField("pricing_url", Kind.URL, "Where the prices are", public=True),
    ListingField("support_url", Kind.URL, "Where users get help", public=True),
    ListingField("documentation_url", Kind.URL, "The app's documentation", public=True),
    ListingField("support_email", Kind.EMAIL, "The address users write to for help", public=True),
    ListingField(
        "contact_email",
        Kind.EMAIL,
        "The developer's main contact address",
        required_for_review=True,
        example="owner@devhub-demo.example",
    ),
    ListingField(
        "installation_url",
        Kind.URL,
        "Where the marketplace's Install sends users instead of /oauth/authorize",
        critical=True,
    ),
    ListingField("use_case", Kind.TEXT, "For reviewers only: what the app is for", max_length=350),
    ListingField(
        "test_account_notes",
        Kind.TEXT,
        "For reviewers: how to try the app, e.g. a test account",
        max_length=1500,
    ),
    ListingField(
        "partner_terms_accepted",
        Kind.FLAG,
        "The developer agreed to the partner terms",
        required_for_review=True,
        example=True,
        refusal=ReviewRefusal(
            ErrorCode.TERMS_NOT_ACCEPTED, "Agree to the partner terms to submit."
        ),
    ),
)

FIELDS: Mapping[str, ListingField] = {field.name: field for field in LISTING}
CRITICAL: tuple[ListingField, ...] = tuple(field for field in LISTING if field.critical)
PUBLIC: tuple[ListingField, ...] = tuple(field for field in LISTING if field.public)
REQUIRED_FOR_REVIEW: tuple[ListingField, ...] = tuple(
    field for field in LISTING if field.required_for_review
)
URLS: tuple[ListingField, ...] = tuple(field for field in LISTING if field.is_url)
# The one field of kind CATEGORY: read and written as a slug, shown as a Category object.
CATEGORY: ListingField = next(field for field in LISTING if field.kind == Kind.CATEGORY)


def values_of(row: Any, fields: tuple[ListingField, ...] = LISTING) -> dict[str, Any]:
    """The fields' values on an app row, by field name."""
    return {field.name: field.value_of(row) for field in fields}


_READ_AS: dict[Kind, Callable[[Any], Any]] = {Kind.URL_LIST: sql.json_list, Kind.FLAG: bool}


def reader(fields: tuple[ListingField, ...]) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """A function from a row hand-written SQL read (keyed by column) to the fields' values by
    name, as the model would hold them. Made once per field set: it runs for every row."""
    plain = [(field.name, field.column) for field in fields if field.kind not in _READ_AS]
    converted = [
        (field.name, field.column, _READ_AS[field.kind])
        for field in fields
        if field.kind in _READ_AS
    ]

    def read(row: Mapping[str, Any]) -> dict[str, Any]:
        values = {name: row[column] for name, column in plain}
        for name, column, convert in converted:
            values[name] = convert(row[column])
        return values

    return read


def demo_values() -> dict[str, Any]:
    """A listing complete enough for review (the demo data)."""
    return {field.name: field.example for field in LISTING if field.example is not None}
