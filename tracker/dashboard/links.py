"""Drill-down links: every number on a dashboard or bulletin opens the list behind it.

The list pages belong to other areas; their endpoints and query arguments are kept here, in
one place. A link is left out when its page does not exist, or when the list cannot show
exactly the items behind the number (better no link than a list that disagrees with it).
"""

from __future__ import annotations

from urllib.parse import quote_plus

from flask import g, url_for

from tracker.item_predicates import due_soon_days

ITEM_LIST_ENDPOINT = "items.index"
ITEM_ENDPOINT = "items.detail"
REVIEW_QUEUE_ENDPOINT = "review.queue"
INDICATOR_ENDPOINT = "indicators.detail"


def endpoint_url(endpoint: str, **args) -> str:
    """The URL of an endpoint, leaving out the arguments that are None."""
    return url_for(endpoint, **{k: v for k, v in args.items() if v is not None})


def items_url(
    *,
    plan: int | None = None,
    department: int | None = None,
    section: int | None = None,
    node: int | None = None,
    column: bool = False,
    status: str | None = None,
    light: str | None = None,
    schedule: str | None = None,
) -> str | None:
    """The item list filtered to the items behind a number.

    `department` is the lead department; `node` a 专栏 (or any plan heading: the items
    from it and from what lies under it); `column` every item from a 专栏; `light` is red
    (overdue), yellow (due within DUE_SOON_DAYS) or green (neither: completed, or due
    later); the list's `due` windows read the same setting (tracker.item_predicates).
    `schedule` is a schedule light (序时进度: red, yellow, green, grey, done), the list's
    `light` filter, which reads the same SQL expression as the dashboards' roll-ups.
    """
    args: dict = {
        "plan": plan,
        "department": department,
        "section": section,
        "node": node,
        "column": 1 if column else None,
        "status": status,
        "light": schedule,
    }
    if light == "red":
        args["due"] = "overdue"
    elif light == "yellow":
        args["due"] = str(due_soon_days())
    elif light == "green":
        args["due"] = "later"
    elif light is not None:
        return None
    return _item_list_url(args)


def _item_list_url(args: dict) -> str:
    """url_for(ITEM_LIST_ENDPOINT, **args) without building the route each time: the city
    dashboard links ~1,000 numbers (url_for was a third of its time at bench M). The
    values are ids and plain tokens; quoted all the same."""
    base = g.get("_item_list_path")
    if base is None:
        base = g._item_list_path = url_for(ITEM_LIST_ENDPOINT)
    query = "&".join(f"{k}={_quoted(v)}" for k, v in args.items() if v is not None)
    return f"{base}?{query}" if query else base


def _quoted(value) -> str:
    text = str(value)
    return text if text.isascii() and text.replace("_", "").isalnum() else quote_plus(text)


def item_url(item_id: int) -> str | None:
    return endpoint_url(ITEM_ENDPOINT, item_id=item_id)


def review_queue_url(**args) -> str | None:
    return endpoint_url(REVIEW_QUEUE_ENDPOINT, **args)


def indicator_url(indicator_id: int) -> str | None:
    return endpoint_url(INDICATOR_ENDPOINT, indicator_id=indicator_id)
