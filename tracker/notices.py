"""In-app notices: queued by services in the same transaction, rendered in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.extensions import db
from tracker.models import Notice

NOTICE_MESSAGES = {
    "report_submitted": _l("%(department)s submitted the report for %(code)s (%(period)s)."),
    "report_returned": _l("Your report for %(code)s (%(period)s) was returned: %(reason)s"),
    "report_verified": _l("Your report for %(code)s (%(period)s) was verified."),
    "item_assigned": _l("Your department was assigned %(code)s %(title)s."),
    "item_reopened": _l("%(code)s was reopened: %(reason)s"),
    "contribution_added": _l("%(department)s added a contribution to %(code)s."),
    "extension_requested": _l("%(department)s asks to extend %(code)s to %(date)s."),
    "extension_decided": _l("Your extension request for %(code)s was %(decision)s."),
    "value_submitted": _l("%(department)s submitted the %(year)s value of indicator %(name)s."),
    "value_returned": _l("The %(year)s value of indicator %(name)s was returned: %(reason)s"),
    "value_verified": _l("The %(year)s value of indicator %(name)s was verified."),
    "indicator_assigned": _l("Your department is now responsible for indicator %(name)s."),
    "letter_issued": _l("Supervision letter %(number)s to your department: reply by %(date)s."),
    "letter_replied": _l("%(department)s replied to supervision letter %(number)s."),
    "letter_closed": _l("Supervision letter %(number)s was closed: %(note)s"),
    "letter_cancelled": _l("Supervision letter %(number)s was cancelled: %(note)s"),
}


def queue_notice(user_ids, kind: str, params: dict, link: str | None = None) -> None:
    """Add one notice per user (set-based: one INSERT of many rows)."""
    rows = [Notice(user_id=uid, kind=kind, params=params, link=link) for uid in set(user_ids)]
    db.session.add_all(rows)


def notice_text(notice: Notice) -> str:
    template = NOTICE_MESSAGES.get(notice.kind)
    if template is None:
        return notice.kind
    params = dict(notice.params or {})
    if "decision" in params:
        params["decision"] = _("approved") if params["decision"] == "approved" else _("refused")
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)
