"""Install analytics as an app's company sees them, and why users uninstall."""

from __future__ import annotations

from datetime import date

import strawberry

from devhub_gql import models as m
from devhub_gql.domain import analytics
from schema.enums import described_enum
from schema.scopes import COMPANY

UninstallReason = described_enum(
    m.UninstallReason,
    name="UninstallReason",
    description="Why a user uninstalled an app, as they chose to say.",
    values={
        m.UninstallReason.NOT_USING: "No longer needed.",
        m.UninstallReason.NOT_WORKING: "It did not work as expected.",
        m.UninstallReason.TOO_EXPENSIVE: "It costs too much.",
        m.UninstallReason.MISSING_FEATURES: "It lacks something the user needs.",
        m.UninstallReason.FOUND_ANOTHER: "The user switched to another app.",
        m.UninstallReason.OTHER: "Another reason, perhaps in the text.",
    },
)


@strawberry.type(description="One UTC day of an app's use.", directives=COMPANY)
class AnalyticsDay:
    day: date = strawberry.field(description="The day, in UTC.")
    installs: int = strawberry.field(description="First installations by a user that day.")
    reinstalls: int = strawberry.field(description="Installations again after an uninstall.")
    uninstalls: int = strawberry.field(description="Uninstalls, whoever or whatever made them.")
    refreshes: int = strawberry.field(
        description="Access tokens the app got with its refresh tokens (its activity)."
    )
    active_installations: int = strawberry.field(
        description="Installations active at the end of the day."
    )


@strawberry.type(description="How many uninstalls gave a reason.", directives=COMPANY)
class UninstallReasonCount:
    reason: UninstallReason = strawberry.field(description="The reason.")  # type: ignore[valid-type]
    count: int = strawberry.field(description="How many uninstalls in the period gave it.")


@strawberry.type(description="What a user wrote when uninstalling; never who.", directives=COMPANY)
class UninstallComment:
    day: date = strawberry.field(description="The UTC day of the uninstall.")
    reason: UninstallReason = strawberry.field(description="The reason chosen.")  # type: ignore[valid-type]
    text: str = strawberry.field(description="The words, ≤ 500 characters.")


@strawberry.type(description="An app's use over a period of UTC days.", directives=COMPANY)
class AppAnalytics:
    days: list[AnalyticsDay] = strawberry.field(description="Every day of the period, in order.")
    uninstall_reasons: list[UninstallReasonCount] = strawberry.field(
        description="The reasons given in the period, the most frequent first."
    )
    uninstall_comments: list[UninstallComment] = strawberry.field(
        description="The texts given in the period, the newest first (at most 100)."
    )

    @classmethod
    def of(cls, found: analytics.Analytics) -> AppAnalytics:
        return cls(
            days=[
                AnalyticsDay(
                    day=d.day,
                    installs=d.installs,
                    reinstalls=d.reinstalls,
                    uninstalls=d.uninstalls,
                    refreshes=d.refreshes,
                    active_installations=d.active,
                )
                for d in found.days
            ],
            uninstall_reasons=[
                UninstallReasonCount(reason=r.reason, count=r.count) for r in found.reasons
            ],
            uninstall_comments=[
                UninstallComment(day=c.day, reason=c.reason, text=c.text) for c in found.comments
            ],
        )
