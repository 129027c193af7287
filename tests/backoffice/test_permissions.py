"""The back-office's rule of access is code the schema enforces: every root field carries the
IsReviewer permission, so a new field cannot forget it."""

from __future__ import annotations

from strawberry.permission import PermissionExtension

from backoffice.permissions import IsReviewer
from backoffice.schema import Mutation, Query


def test_every_backoffice_root_field_lets_only_reviewers_in():
    fields = [
        (root.__name__, field)
        for root in (Query, Mutation)
        for field in root.__strawberry_definition__.fields
    ]
    assert len(fields) >= 6
    for root, field in fields:
        guards = [
            permission
            for extension in field.extensions
            if isinstance(extension, PermissionExtension)
            for permission in extension.permissions
        ]
        assert any(isinstance(guard, IsReviewer) for guard in guards), f"{root}.{field.name}"
        # Outermost, so that nobody but a reviewer gets as far as the input checks.
        assert isinstance(field.extensions[-1], PermissionExtension), f"{root}.{field.name}"
