"""Sending an app (or its pending revision) to review, and taking it back.

Submission checks every requirement at once and freezes a snapshot with the results of the
automated checks; the reviewer decides on exactly what was sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from devhub_gql import outbound
from devhub_gql.domain import audit, revisions
from devhub_gql.domain.accounts import Viewer
from devhub_gql.domain.apps import FIELD_RULES, get_app
from devhub_gql.domain.catalog import ADMIN_SCOPE, BASE_SCOPE
from devhub_gql.domain.errors import ErrorCode, NotFound, UserError, UserErrors
from devhub_gql.domain.lifecycle import Transition, apply_transition, check_transition
from devhub_gql.domain.validation import is_secure_url
from devhub_gql.models import (
    App,
    PendingRevision,
    RevisionStatus,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)

# Listing fields a public app needs before review (name and callback URL are always present).
REQUIRED_FOR_REVIEW = (
    "category",
    "summary",
    "icon_url",
    "description",
    "website_url",
    "terms_of_service_url",
    "privacy_policy_url",
    "contact_email",
)
URL_FIELDS = tuple(field for field, rule in FIELD_RULES.items() if rule.kind in ("url", "youtube"))


def snapshot_of(app: App, scopes: list[str]) -> dict[str, Any]:
    """Every reviewable field of the app as a plain dict."""
    values = {field: getattr(app, field) for field in FIELD_RULES if field != "category"}
    return {**values, "category": app.category_id, "type": app.type.value, "scopes": scopes}


def missing_requirements(view: dict[str, Any], *, allow_private: bool) -> list[UserError]:
    problems = [
        UserError(field, ErrorCode.REQUIRED, "Required before review.")
        for field in REQUIRED_FOR_REVIEW
        if not view.get(field)
    ]
    if not view["listing_image_urls"]:
        problems.append(
            UserError("listing_image_urls", ErrorCode.TOO_FEW, "Add at least one listing image.")
        )
    if not [scope for scope in view["scopes"] if scope != BASE_SCOPE]:
        problems.append(
            UserError("scopes", ErrorCode.TOO_FEW, "Choose at least one scope besides base.")
        )
    if not is_secure_url(view["callback_url"] or "", allow_loopback_http=allow_private):
        problems.append(
            UserError("callback_url", ErrorCode.HTTPS_REQUIRED, "The callback URL must use https.")
        )
    if not view["partner_terms_accepted"]:
        problems.append(
            UserError(
                "partner_terms_accepted",
                ErrorCode.TERMS_NOT_ACCEPTED,
                "Agree to the partner terms to submit.",
            )
        )
    return problems


async def automated_checks(view: dict[str, Any], *, allow_private: bool) -> list[dict[str, Any]]:
    """What a reviewer sees first: each check with an id, whether it passed, and why."""
    urls = [view[field] for field in URL_FIELDS if view.get(field)] + list(
        view["listing_image_urls"]
    )
    insecure = [url for url in urls if not is_secure_url(url, allow_loopback_http=allow_private)]
    callback = await outbound.probe(view["callback_url"], allow_private=allow_private)
    return [
        {
            "id": "required_fields",
            "passed": not missing_requirements(view, allow_private=allow_private),
            "message": "Every required listing field is present.",
        },
        {
            "id": "urls_https",
            "passed": not insecure,
            "message": "Every URL is well-formed and uses https."
            if not insecure
            else "Not https: " + ", ".join(insecure),
        },
        {
            "id": "least_privilege",
            "passed": ADMIN_SCOPE not in view["scopes"],
            "message": "No admin scope requested."
            if ADMIN_SCOPE not in view["scopes"]
            else "Requests the admin scope: check that the app needs to administer accounts.",
        },
        {"id": "callback_answers", "passed": callback.answered, "message": callback.message},
    ]


async def _what_to_submit(app: App) -> tuple[SubmissionKind, PendingRevision | None]:
    if app.status in revisions.GUARDED_STATUSES:
        revision = await revisions.open_revision(app.id)
        if revision is None or revision.status != RevisionStatus.DRAFT:
            raise UserErrors.single(
                None,
                ErrorCode.NO_PENDING_REVISION,
                "The app is approved: only a pending revision of its critical fields can be "
                "submitted, and there is none waiting.",
            )
        return SubmissionKind.REVISION, revision
    check_transition(app, Transition.SUBMIT)
    return SubmissionKind.LISTING, None


async def submit_for_review(
    viewer: Viewer, app_id: int, *, now: datetime, allow_private: bool
) -> Submission:
    app = await get_app(viewer, app_id)
    kind, revision = await _what_to_submit(app)
    live = snapshot_of(app, await revisions.live_scopes(app.id))
    view = {**live, **(revision.changes if revision else {})}
    if problems := missing_requirements(view, allow_private=allow_private):
        raise UserErrors(problems)
    diff = revisions.compute_diff(live, revision.changes) if revision else None
    if diff is not None and revisions.diff_is_empty(diff):
        raise UserErrors.single(
            None, ErrorCode.NO_CHANGES, "The pending revision changes nothing; discard it."
        )
    # Outside the transaction: the callback probe is network I/O.
    checks = await automated_checks(view, allow_private=allow_private)
    async with in_transaction():
        if revision is None:
            await apply_transition(app, Transition.SUBMIT, actor_id=viewer.user.id, now=now)
        else:
            claimed = await PendingRevision.filter(
                id=revision.id, status=RevisionStatus.DRAFT
            ).update(status=RevisionStatus.IN_REVIEW, updated_at=now)
            if not claimed:
                raise UserErrors.single(
                    None, ErrorCode.REVISION_LOCKED, "The revision changed meanwhile; reload it."
                )
            await audit.record(
                app.id, actor_id=viewer.user.id, action="revision_submitted", now=now
            )
        return await Submission.create(
            app_id=app.id,
            revision_id=revision.id if revision else None,
            kind=kind,
            snapshot=view,
            diff=diff,
            checks=checks,
            submitted_by_id=viewer.user.id,
            submitted_at=now,
        )


async def withdraw_from_review(viewer: Viewer, app_id: int, *, now: datetime) -> App:
    async with in_transaction():
        app = await get_app(viewer, app_id)
        submission = await Submission.filter(app_id=app.id, status=SubmissionStatus.PENDING).first()
        if submission is None:
            # Nothing pending: let the state machine say why this app cannot be withdrawn.
            check_transition(app, Transition.WITHDRAW)
            raise UserErrors.single(None, ErrorCode.INVALID_TRANSITION, "Nothing is in review.")
        withdrawn = await Submission.filter(
            id=submission.id, status=SubmissionStatus.PENDING
        ).update(status=SubmissionStatus.WITHDRAWN, decided_at=now)
        if not withdrawn:
            raise UserErrors.single(
                None, ErrorCode.ALREADY_DECIDED, "A reviewer decided on it meanwhile."
            )
        if submission.kind == SubmissionKind.LISTING:
            await apply_transition(app, Transition.WITHDRAW, actor_id=viewer.user.id, now=now)
        else:
            await PendingRevision.filter(id=submission.revision_id).update(
                status=RevisionStatus.DRAFT, updated_at=now
            )
            await audit.record(
                app.id, actor_id=viewer.user.id, action="revision_withdrawn", now=now
            )
    return app


async def get_own_submission(viewer: Viewer, submission_id: int) -> Submission:
    submission = await Submission.filter(
        id=submission_id, app__company_id=viewer.company_id, app__deleted_at=None
    ).first()
    if submission is None:
        raise NotFound("No submission with this id.")
    return submission
