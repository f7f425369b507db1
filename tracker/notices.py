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
    "instruction_written": _l("A leader's instruction on %(code)s: %(text)s"),
    "instruction_answered": _l("The lead department answered the instruction on %(code)s."),
    "reassignment_requested": _l(
        "%(department)s asks to hand %(code)s to another lead department: %(reason)s"
    ),
    "reassignment_decided": _l("Your request to change the lead of %(code)s was %(decision)s."),
    "report_pending_approval": _l(
        "%(department)s's report for %(code)s (%(period)s) waits for your sign-off."
    ),
    "item_assigned": _l("Your department was assigned %(code)s %(title)s."),
    "item_reopened": _l("%(code)s was reopened: %(reason)s"),
    "contribution_added": _l("%(department)s added a contribution to %(code)s."),
    "extension_requested": _l("%(department)s asks to extend %(code)s to %(date)s."),
    "extension_decided": _l("Your extension request for %(code)s was %(decision)s."),
    "value_submitted": _l("%(department)s submitted the %(year)s value of indicator %(name)s."),
    "value_returned": _l("The %(year)s value of indicator %(name)s was returned: %(reason)s"),
    "value_verified": _l("The %(year)s value of indicator %(name)s was verified."),
    "indicator_assigned": _l("Your department is now responsible for indicator %(name)s."),
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
