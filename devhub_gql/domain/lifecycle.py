"""Every status of every kind changes here, and only here.

Each status kind (apps, pending revisions, submissions) has a transition table: which action moves
a row from which status to which. One mechanism applies them: a conditional update
(`UPDATE … WHERE status = <the status the caller read>`), so of two racing requests only one
lands, on SQLite and PostgreSQL alike; and every call writes its audit entry, so no status
changes without one.

Apps, public:  DRAFT → IN_REVIEW → APPROVED ⇄ PUBLISHED; IN_REVIEW → DRAFT on rejection or
withdrawal. Private: DRAFT → LIVE, one way.
Revisions: DRAFT → IN_REVIEW → APPROVED → MERGED; IN_REVIEW → DRAFT on rejection or withdrawal;
DRAFT or APPROVED → DISCARDED.
Submissions: PENDING → APPROVED, REJECTED or WITHDRAWN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from tortoise.models import Model

from devhub_gql import events
from devhub_gql.domain import versions
from devhub_gql.domain.errors import ErrorCode, UserError, UserErrors
from devhub_gql.events import Event
from devhub_gql.models import (
    App,
    AppStatus,
    AppType,
    AuditAction,
    AuditEntry,
    PendingRevision,
    RevisionStatus,
    Submission,
    SubmissionStatus,
)

A = AuditAction


@dataclass(frozen=True)
class Machine:
    """The transition table of one status kind."""

    model: type[Model]
    noun: str  # how messages name a row: "app", "pending revision", "submission"
    rules: Mapping[tuple[AuditAction, StrEnum], StrEnum]
    lost_race: UserError  # answered when the row changed between read and write
    guards: Mapping[str, Any] = field(default_factory=dict)  # further conditions on the row

    def target(self, action: AuditAction, current: StrEnum) -> StrEnum:
        """The status `action` moves a row in `current` to; refuses with the reason otherwise."""
        target = self.rules.get((action, current))
        if target is None:
            sources = [source.value for (act, source) in self.rules if act == action]
            raise UserErrors.single(
                None,
                ErrorCode.INVALID_TRANSITION,
                f"Only {' or '.join(sources)} {self.noun}s can be {VERBS[action]}; "
                f"this one is {current.value}.",
            )
        return target


VERBS: Mapping[AuditAction, str] = {
    A.SUBMIT: "submitted for review",
    A.WITHDRAW: "withdrawn from review",
    A.APPROVE: "approved",
    A.REJECT: "rejected",
    A.PUBLISH: "published",
    A.UNPUBLISH: "unpublished",
    A.CHANGE_TO_LIVE: "changed to live",
    A.DELETE: "deleted",
    A.REVISION_SUBMITTED: "submitted for review",
    A.REVISION_WITHDRAWN: "withdrawn from review",
    A.REVISION_APPROVED: "approved",
    A.REVISION_REJECTED: "rejected",
    A.REVISION_MERGED: "merged",
    A.REVISION_DISCARDED: "discarded",
}

_APP_CHANGED = UserError(
    None, ErrorCode.INVALID_TRANSITION, "The app changed meanwhile; reload it and retry."
)
PUBLIC_APPS = Machine(
    App,
    "app",
    {
        (A.SUBMIT, AppStatus.DRAFT): AppStatus.IN_REVIEW,
        (A.WITHDRAW, AppStatus.IN_REVIEW): AppStatus.DRAFT,
        (A.APPROVE, AppStatus.IN_REVIEW): AppStatus.APPROVED,
        (A.REJECT, AppStatus.IN_REVIEW): AppStatus.DRAFT,
        (A.PUBLISH, AppStatus.APPROVED): AppStatus.PUBLISHED,
        (A.UNPUBLISH, AppStatus.PUBLISHED): AppStatus.APPROVED,
    },
    _APP_CHANGED,
    {"deleted_at": None},
)
PRIVATE_APPS = Machine(
    App,
    "app",
    {(A.CHANGE_TO_LIVE, AppStatus.DRAFT): AppStatus.LIVE},
    _APP_CHANGED,
    {"deleted_at": None},
)
REVISIONS = Machine(
    PendingRevision,
    "pending revision",
    {
        (A.REVISION_SUBMITTED, RevisionStatus.DRAFT): RevisionStatus.IN_REVIEW,
        (A.REVISION_WITHDRAWN, RevisionStatus.IN_REVIEW): RevisionStatus.DRAFT,
        (A.REVISION_APPROVED, RevisionStatus.IN_REVIEW): RevisionStatus.APPROVED,
        (A.REVISION_REJECTED, RevisionStatus.IN_REVIEW): RevisionStatus.DRAFT,
        (A.REVISION_MERGED, RevisionStatus.APPROVED): RevisionStatus.MERGED,
        (A.REVISION_DISCARDED, RevisionStatus.DRAFT): RevisionStatus.DISCARDED,
        (A.REVISION_DISCARDED, RevisionStatus.APPROVED): RevisionStatus.DISCARDED,
    },
    UserError(None, ErrorCode.REVISION_LOCKED, "The revision changed meanwhile; reload it."),
)
# A decision or a withdrawal moves the submission with the app (or its revision): the
# submission's conditional update is what decides which of two racing requests lands.
_SUBMISSION_ACTIONS = {
    A.APPROVE: SubmissionStatus.APPROVED,
    A.REVISION_APPROVED: SubmissionStatus.APPROVED,
    A.REJECT: SubmissionStatus.REJECTED,
    A.REVISION_REJECTED: SubmissionStatus.REJECTED,
    A.WITHDRAW: SubmissionStatus.WITHDRAWN,
    A.REVISION_WITHDRAWN: SubmissionStatus.WITHDRAWN,
    A.DELETE: SubmissionStatus.WITHDRAWN,
}
SUBMISSIONS = Machine(
    Submission,
    "submission",
    {(action, SubmissionStatus.PENDING): target for action, target in _SUBMISSION_ACTIONS.items()},
    UserError(None, ErrorCode.ALREADY_DECIDED, "This submission is no longer waiting for review."),
)
APPS: Mapping[AppType, Machine] = {AppType.PUBLIC: PUBLIC_APPS, AppType.PRIVATE: PRIVATE_APPS}


def app_machine(app: App, action: AuditAction) -> Machine:
    """The app's table, refusing an action that belongs to the other app type."""
    machine = APPS[app.type]
    if not any(act == action for act, _ in machine.rules):
        kind = "Private" if app.type == AppType.PRIVATE else "Public"
        raise UserErrors.single(
            None, ErrorCode.WRONG_APP_TYPE, f"{kind} apps cannot be {VERBS[action]}."
        )
    return machine


def check_app(app: App, action: AuditAction) -> AppStatus:
    """The status `action` would move the app to; refuses with the reason otherwise."""
    return AppStatus(app_machine(app, action).target(action, app.status))


@dataclass(frozen=True)
class Move:
    """One row to move by a transition, from the status the caller read it in."""

    machine: Machine
    row_id: int
    current: StrEnum
    changes: Mapping[str, Any] = field(default_factory=dict)  # written with the status

    @classmethod
    def app(cls, app: App, action: AuditAction, **changes: Any) -> Move:
        return cls(app_machine(app, action), app.id, app.status, changes)


async def transition(
    action: AuditAction,
    subject: Move | None,
    *,
    app: App,
    actor_id: int | None,
    now: datetime,
    reason: str | None = None,
    alongside: Sequence[Move] = (),
    from_status: StrEnum | None = None,
    submission_id: int | None = None,
) -> StrEnum | None:
    """Apply `action`: the `alongside` moves first (they decide races), then the subject's,
    each a conditional update; then the audit entry, with the subject's statuses (or, for an
    action that moves no status of the app's own, `from_status`). Returns the subject's new
    status. Call it inside the command's `events.transaction()`: a refusal rolls all of it back,
    and the live event it records (naming `submission_id`, or the submission a move names) is
    published only once the transaction has committed."""
    for move in alongside:
        await _move(action, move, now)
    target = await _move(action, subject, now) if subject is not None else None
    before = subject.current if subject is not None else from_status
    await AuditEntry.create(
        app_id=app.id,
        actor_id=actor_id,
        action=action,
        from_status=before.value if before is not None else None,
        to_status=target.value if target is not None else None,
        reason=reason,
        at=now,
    )
    await versions.company_changed(app.company_id)
    if subject is not None and subject.machine.model is App:
        await versions.public_changed()  # listed, unlisted, installable by others, or not
    moves = [move for move in (subject, *alongside) if move is not None]
    submission = submission_id or next(
        (m.row_id for m in moves if m.machine.model is Submission), None
    )
    events.record(Event(action.value, app.id, app.company_id, submission))
    return target


async def _move(action: AuditAction, move: Move, now: datetime) -> StrEnum:
    machine = move.machine
    target = machine.target(action, move.current)
    changes = {"status": target, **move.changes}
    if "updated_at" in machine.model._meta.fields_map:
        changes.setdefault("updated_at", now)
    moved = await machine.model.filter(
        id=move.row_id, status=move.current, **machine.guards
    ).update(**changes)
    if not moved:
        raise UserErrors([machine.lost_race])
    return target


async def move_app(
    app: App,
    action: AuditAction,
    *,
    actor_id: int | None,
    now: datetime,
    reason: str | None = None,
    alongside: Sequence[Move] = (),
    submission_id: int | None = None,
) -> None:
    """An app's own transition (with any moves that go with it); the row object follows."""
    first_publication = action == AuditAction.PUBLISH and app.published_at is None
    changes = {"published_at": now} if first_publication else {}
    target = await transition(
        action,
        Move.app(app, action, **changes),
        app=app,
        actor_id=actor_id,
        now=now,
        reason=reason,
        alongside=alongside,
        submission_id=submission_id,
    )
    assert target is not None  # an app's own transition always has a subject
    app.status = AppStatus(target)
    app.updated_at = now
    if first_publication:
        app.published_at = now
