"""Reviews: what a submission froze, its automated checks and diff, and the decision on it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

import strawberry
from strawberry import relay
from strawberry.utils.str_converters import to_camel_case

from devhub_gql import models as m
from devhub_gql.domain.extensions import Extension
from devhub_gql.domain.reviews import RejectionCode as RejectionCodeEnum
from schema.catalogue import Scope
from schema.enums import described_enum
from schema.extensions import AppExtension, ExtensionKind
from schema.listing import AppType, Registration, plain_values
from schema.scopes import COMPANY

SubmissionKind = described_enum(
    m.SubmissionKind,
    description="LISTING: a draft app's first review; REVISION: critical changes.",
    values={
        m.SubmissionKind.LISTING: "A draft public app sent to review (again after a rejection or "
        "withdrawal); approval makes the app APPROVED.",
        m.SubmissionKind.REVISION: "The pending revision of an approved app's critical fields; "
        "approval lets the developer merge it.",
    },
)
SubmissionStatus = described_enum(
    m.SubmissionStatus,
    description="What became of a submission.",
    values={
        m.SubmissionStatus.PENDING: "In the review queue, waiting for a reviewer's decision.",
        m.SubmissionStatus.APPROVED: "A reviewer approved it.",
        m.SubmissionStatus.REJECTED: "A reviewer rejected it, with reasons.",
        m.SubmissionStatus.WITHDRAWN: "The developer took it back before a decision, or deleted "
        "the app.",
    },
)
RejectionCode = described_enum(
    RejectionCodeEnum,
    name="RejectionCode",
    description="The kind of problem a reviewer rejects a submission for.",
    values={
        RejectionCodeEnum.INCOMPLETE_LISTING: "The listing lacks information a customer needs.",
        RejectionCodeEnum.MISLEADING_LISTING: "The listing misrepresents what the app does.",
        RejectionCodeEnum.BROKEN_CALLBACK: "The OAuth callback URL does not work.",
        RejectionCodeEnum.INSTALLATION_FLOW: "Installing the app fails or misleads the user.",
        RejectionCodeEnum.EXCESSIVE_SCOPES: "The app asks for more access than it needs.",
        RejectionCodeEnum.SECURITY: "A security problem with the app.",
        RejectionCodeEnum.POLICY_VIOLATION: "The app breaks the marketplace's policies or the "
        "partner terms.",
        RejectionCodeEnum.OTHER: "Another reason, explained in the message.",
    },
)


@strawberry.type(description="A critical field whose value a revision changes.", directives=COMPANY)
class FieldChange:
    field: str = strawberry.field(description="The input field name, e.g. callbackUrl.")
    old: str | None = strawberry.field(description="The live value; null when not set.")
    new: str | None = strawberry.field(description="The proposed value; null clears the field.")


@strawberry.type(description="Which extension a change is about.", directives=COMPANY)
class ExtensionSummary:
    id: strawberry.ID = strawberry.field(description="The extension's id.")
    kind: ExtensionKind = strawberry.field(description="What it is.")  # type: ignore[valid-type]
    name: str | None = strawberry.field(description="Its name (the new one, if renamed).")

    @classmethod
    def of(cls, summary: dict[str, Any]) -> ExtensionSummary:
        return cls(id=strawberry.ID(summary["key"]), kind=summary["kind"], name=summary["name"])


@strawberry.type(description="An extension a revision changes.", directives=COMPANY)
class ExtensionChange:
    extension: ExtensionSummary = strawberry.field(description="Which one.")
    fields: list[FieldChange] = strawberry.field(
        description="Each changed field; JSON values as JSON text, secrets only as '(set)'."
    )


@strawberry.type(
    description="What a revision changes compared with the live app.", directives=COMPANY
)
class RevisionDiff:
    scopes_added: list[str] = strawberry.field(
        description="The scope names it adds, in catalogue order."
    )
    scopes_removed: list[str] = strawberry.field(
        description="The scope names it removes, in catalogue order."
    )
    fields: list[FieldChange] = strawberry.field(
        description="The other critical fields it changes: callbackUrl, installationUrl, category."
    )
    extensions_added: list[ExtensionSummary] = strawberry.field(description="Extensions it adds.")
    extensions_removed: list[ExtensionSummary] = strawberry.field(
        description="Extensions it removes."
    )
    extensions_changed: list[ExtensionChange] = strawberry.field(
        description="Extensions it changes, field by field."
    )

    @classmethod
    def from_dict(cls, diff: dict[str, Any]) -> RevisionDiff:
        return cls(
            extensions_added=[ExtensionSummary.of(e) for e in diff.get("extensions_added", [])],
            extensions_removed=[ExtensionSummary.of(e) for e in diff.get("extensions_removed", [])],
            extensions_changed=[
                ExtensionChange(
                    extension=ExtensionSummary.of(e),
                    fields=[
                        FieldChange(field=to_camel_case(f["field"]), old=f["old"], new=f["new"])
                        for f in e["fields"]
                    ],
                )
                for e in diff.get("extensions_changed", [])
            ],
            scopes_added=list(diff["scopes_added"]),
            scopes_removed=list(diff["scopes_removed"]),
            fields=[
                FieldChange(field=to_camel_case(f["field"]), old=f["old"], new=f["new"])
                for f in diff["fields"]
            ],
        )


@strawberry.type(
    description="The result of one automated check run at submission.", directives=COMPANY
)
class AutomatedCheck:
    id: str = strawberry.field(
        description="Which check: `required_fields`, `urls_https`, `least_privilege` or "
        "`callback_answers` or `extensions_answer` (every extension's page or endpoint answers; "
        "JSON panels with data their schema accepts)."
    )
    passed: bool = strawberry.field(description="Whether the submission passed it.")
    message: str = strawberry.field(
        description="What the check found, e.g. the URLs that are not https."
    )


@strawberry.type(
    description="One reason a reviewer gave for rejecting a submission.", directives=COMPANY
)
class RejectionReason:
    code: RejectionCode = strawberry.field(  # type: ignore[valid-type]
        description="The kind of problem."
    )
    message: str = strawberry.field(
        description="The reviewer's explanation for the developer, ≤ 1,000 characters."
    )


@strawberry.type(description="What was sent to review, frozen at submission.", directives=COMPANY)
class AppSnapshot(Registration):  # a base generated from the listing
    type: AppType = strawberry.field(  # type: ignore[valid-type]
        description="PUBLIC or PRIVATE."
    )
    category: str | None = strawberry.field(
        description="The category slug; null when none was chosen."
    )
    scopes: list[str] = strawberry.field(
        description="The scope names asked for, in catalogue order."
    )
    extensions: list[AppExtension] = strawberry.field(description="The extensions sent to review.")

    @strawberry.field(
        description="The scopes asked for with their labels, in catalogue order, as the consent "
        "page shows them."
    )
    def scope_details(self) -> list[Scope]:
        return Scope.listed(self.scopes)

    @classmethod
    def from_dict(cls, snapshot: dict[str, Any]) -> AppSnapshot:
        return cls(
            **plain_values(snapshot),
            type=snapshot["type"],
            category=snapshot.get("category"),
            scopes=list(snapshot["scopes"]),
            extensions=[
                AppExtension.of(Extension.from_dict(item))
                for item in snapshot.get("extensions", [])
            ],
        )


@strawberry.type(
    description="An app or a revision sent to review, and the decision on it.", directives=COMPANY
)
class Submission(relay.Node):
    submission_id: relay.NodeID[int]
    kind: SubmissionKind = strawberry.field(  # type: ignore[valid-type]
        description="A draft app's listing or an approved app's revision."
    )
    status: SubmissionStatus = strawberry.field(  # type: ignore[valid-type]
        description="PENDING, or what became of it."
    )
    submitted_at: datetime = strawberry.field(description="When the developer submitted it.")
    snapshot: AppSnapshot = strawberry.field(
        description="The app as submitted, a revision's changes applied; it never changes."
    )
    diff: RevisionDiff | None = strawberry.field(
        description="For revisions: against the live app, at submission; null for listings."
    )
    checks: list[AutomatedCheck] = strawberry.field(
        description="The automated checks run at submission."
    )
    decided_at: datetime | None = strawberry.field(
        description="When it was approved, rejected or withdrawn; null while PENDING."
    )
    note: str | None = strawberry.field(
        description="The reviewer's note, ≤ 1,000 characters; null when none."
    )
    reasons: list[RejectionReason] = strawberry.field(
        description="Why it was rejected; empty unless REJECTED."
    )
    row: strawberry.Private[m.Submission]

    @classmethod
    def from_model(cls, row: m.Submission) -> Self:
        return cls(
            submission_id=row.id,
            kind=row.kind,
            status=row.status,
            submitted_at=row.submitted_at,
            snapshot=AppSnapshot.from_dict(row.snapshot),
            diff=RevisionDiff.from_dict(row.diff) if row.diff else None,
            checks=[AutomatedCheck(**check) for check in row.checks],
            decided_at=row.decided_at,
            note=row.note,
            reasons=[
                RejectionReason(code=RejectionCodeEnum(r["code"]), message=r["message"])
                for r in row.reasons
            ],
            row=row,
        )


_A = m.AuditAction
AuditAction = described_enum(
    m.AuditAction,
    description="What an audit entry records.",
    values={
        _A.SUBMIT: "The developer sent the app to review (DRAFT → IN_REVIEW).",
        _A.WITHDRAW: "The developer took the app back from review (IN_REVIEW → DRAFT).",
        _A.APPROVE: "A reviewer approved the app (IN_REVIEW → APPROVED).",
        _A.REJECT: "A reviewer rejected the app, with reasons (IN_REVIEW → DRAFT).",
        _A.PUBLISH: "The developer listed the app in the marketplace (APPROVED → PUBLISHED).",
        _A.UNPUBLISH: "The developer or a reviewer took the app off the marketplace "
        "(PUBLISHED → APPROVED).",
        _A.CHANGE_TO_LIVE: "The developer made a private app live (DRAFT → LIVE).",
        _A.DELETE: "The developer deleted the app, with a reason.",
        _A.REVISION_SUBMITTED: "The developer sent the pending revision to review.",
        _A.REVISION_WITHDRAWN: "The developer took the pending revision back from review.",
        _A.REVISION_APPROVED: "A reviewer approved the pending revision.",
        _A.REVISION_REJECTED: "A reviewer rejected the pending revision, with reasons.",
        _A.REVISION_MERGED: "The developer made the approved revision live.",
        _A.REVISION_DISCARDED: "The developer dropped the pending revision.",
        _A.LISTING_EDITED: "A reviewer fixed the listing's text; the reason gives each before and "
        "after.",
        _A.REVIEW_HIDDEN: "A reviewer hid a user's review of the app, with a reason.",
        _A.REVIEW_REPORTS_DISMISSED: "A reviewer kept a reported review of the app.",
    },
)
