"""The one list of plans the pages offer, and the one rule for the plan a page shows.

Active plans come first (newest period first), archived ones after, still reachable. A page
given `?plan=<id>` shows that plan, and an id that is not in its list is a 404 (the same
answer as for a missing plan); without one it shows the first plan of its list.
"""

from __future__ import annotations

from flask import abort, request
from sqlalchemy import case, exists, select

from tracker.extensions import db
from tracker.models import Indicator, Plan


def plans_in_order():
    """SELECT of every plan: active first (newest period first), then archived ones."""
    return select(Plan).order_by(
        case((Plan.status == "active", 0), else_=1), Plan.start_year.desc(), Plan.id.desc()
    )


def plan_list(*, with_indicators: bool = False) -> list[Plan]:
    """The plans a chooser offers; `with_indicators` keeps those that have indicators."""
    query = plans_in_order()
    if with_indicators:
        query = query.where(exists().where(Indicator.plan_id == Plan.id))
    return list(db.session.scalars(query))


def find_plan(plans: list[Plan], plan_id: int | None) -> Plan | None:
    """The plan with `plan_id` among `plans`, or None."""
    return next((plan for plan in plans if plan.id == plan_id), None) if plan_id else None


def requested_plan(plans: list[Plan], arg: str = "plan") -> Plan | None:
    """The plan the query string asks for (404 when it is not among `plans`), else the
    first plan of the list (None when there is none)."""
    plan_id = request.args.get(arg, type=int)
    if plan_id:
        plan = find_plan(plans, plan_id)
        if plan is None:
            abort(404)
        return plan
    return plans[0] if plans else None


PLAN_SHORT_TITLE_LENGTH = 14


def plan_short_title(title: str, limit: int = PLAN_SHORT_TITLE_LENGTH) -> str:
    """A plan's title short enough to prefix an option ("…规划 · 三.(一) …"): whole when it
    fits, else its first `limit` characters and an ellipsis."""
    title = (title or "").strip()
    return title if len(title) <= limit else title[: limit - 1] + "…"


def section_option_label(code: str, title: str, plan_title: str | None = None) -> str:
    """A plan section as a choice: "三.(一) 标题…", prefixed with its plan when the page
    offers the sections of more than one plan (a bare 三.(一) would be ten different ones)."""
    title = (title or "").strip()
    text = f"{code} {title if len(title) <= 18 else title[:17] + '…'}".strip()
    return f"{plan_short_title(plan_title)} · {text}" if plan_title is not None else text
