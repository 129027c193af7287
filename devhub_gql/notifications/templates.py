"""Each notification's subject, plain text and HTML, rendered with Jinja2 (the HTML with every
value escaped: an app's name is the developer's own text)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from jinja2 import Environment, StrictUndefined, Template

from devhub_gql.notifications.kinds import NotificationKind

_TEXT = Environment(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True)
_HTML = Environment(autoescape=True, undefined=StrictUndefined)

_SUBJECTS = {
    NotificationKind.SUBMISSION_RECEIVED: "{{ app_name }} is in review",
    NotificationKind.SUBMISSION_APPROVED: "{{ app_name }} was approved",
    NotificationKind.SUBMISSION_REJECTED: "{{ app_name }} needs changes",
    NotificationKind.APP_UNPUBLISHED: "{{ app_name }} was unpublished",
    NotificationKind.LISTING_EDITED: "A reviewer edited the listing of {{ app_name }}",
    NotificationKind.NOTICES_FAILING: "Uninstall notices to {{ app_name }} are failing",
    NotificationKind.CLIENT_SECRET_ROTATED: "The client secret of {{ app_name }} was rotated",
    NotificationKind.MEMBER_ADDED: "{{ member_email }} joined {{ company_name }}",
}
_BODIES = {
    NotificationKind.SUBMISSION_RECEIVED: (
        "We received {{ what }} of {{ app_name }} for review. A reviewer will decide soon; you"
        " will hear from us then."
    ),
    NotificationKind.SUBMISSION_APPROVED: (
        "A reviewer approved {{ what }} of {{ app_name }}.{% if note %} Their note: {{ note }}"
        "{% endif %}"
    ),
    NotificationKind.SUBMISSION_REJECTED: (
        "A reviewer asked for changes to {{ what }} of {{ app_name }}:"
    ),
    NotificationKind.APP_UNPUBLISHED: (
        "A reviewer took {{ app_name }} off the marketplace. Installations keep working. The"
        " reason: {{ reason }}"
    ),
    NotificationKind.LISTING_EDITED: (
        "A reviewer changed the text of {{ app_name }}'s listing. Their reason: {{ reason }}"
        "{% for c in changes %} {{ c.field }} was “{{ c.old }}” and is now “{{ c.new }}”."
        "{% endfor %}"
    ),
    NotificationKind.NOTICES_FAILING: (
        "An uninstall notice to {{ app_name }} failed every delivery attempt. Check that"
        " {{ callback_url }} answers DELETE requests; we write once per incident."
    ),
    NotificationKind.CLIENT_SECRET_ROTATED: (
        "A new client secret was made for {{ app_name }} (client id {{ client_id }})."
        "{% if grace_hours %} The old one keeps working for {{ grace_hours }} hours.{% endif %}"
        " If this was not you, rotate it again and check who can sign in to your company."
    ),
    NotificationKind.MEMBER_ADDED: (
        "{{ member_email }} was added to {{ company_name }} as {{ role }}. If this was not"
        " expected, remove them."
    ),
}
_REASONS_TEXT = "{% for r in reasons %}\n- {{ r.code }}: {{ r.message }}{% endfor %}"
_REASONS_HTML = (
    "{% if reasons %}<ul>{% for r in reasons %}<li>{{ r.code }}: {{ r.message }}</li>"
    "{% endfor %}</ul>{% endif %}"
)
_FOOTER_TEXT = (
    "{% if unsubscribe_url %}\n\nTo stop these emails: {{ unsubscribe_url }}{% endif %}\n"
)
_FOOTER_HTML = (
    '{% if unsubscribe_url %}<p><a href="{{ unsubscribe_url }}">Stop these emails</a></p>'
    "{% endif %}"
)


@cache
def _templates(kind: NotificationKind) -> tuple[Template, Template, Template]:
    """Compiled once per kind: the subject, the text and the HTML."""
    body = _BODIES[kind]
    html = f"<!doctype html><html><body><p>{body}</p>{_REASONS_HTML}{_FOOTER_HTML}</body></html>"
    return (
        _TEXT.from_string(_SUBJECTS[kind]),
        _TEXT.from_string(body + _REASONS_TEXT + _FOOTER_TEXT),
        _HTML.from_string(html),
    )


def subject(kind: NotificationKind, context: Mapping[str, Any]) -> str:
    return render(kind, context)["subject"]


def render(kind: NotificationKind, context: Mapping[str, Any]) -> dict[str, str]:
    """The subject, text and HTML of one notice."""
    values = {
        "reasons": [],
        "note": None,
        "grace_hours": None,
        "what": "",
        "unsubscribe_url": None,
        **context,
    }
    subject, text, html = _templates(kind)
    return {
        "subject": " ".join(subject.render(values).split()),
        "text": text.render(values),
        "html": html.render(values),
    }
