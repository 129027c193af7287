"""The back-office's one rule of access, as a permission the schema enforces on every root field
(a test walks the schema and fails on a field without it): reviewers only; everyone else gets
UNAUTHENTICATED or FORBIDDEN and learns nothing, not even whether an id exists."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission, PermissionExtension

from devhub_gql.domain.reviews import ensure_reviewer
from schema.context import Info


class IsReviewer(BasePermission):
    message = "The back-office is for reviewers only."

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        # Raises the domain's Unauthenticated or Forbidden, which carry their own codes.
        ensure_reviewer(await info.context.viewer())
        return True


def guard_reviewers_only(*roots: type) -> None:
    """Put IsReviewer on every root field; called once per root type, before the schema."""
    for root in roots:
        for field in root.__strawberry_definition__.fields:  # type: ignore[attr-defined]
            field.extensions.append(
                PermissionExtension(permissions=[IsReviewer()], use_directives=False)
            )
