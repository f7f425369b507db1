"""What a user's calendar shows, and the .ics text of it.

Open items of the user's department (lead or co-owner) on their due dates — overdue ones stay
until they are closed —, the approved milestones (形象进度) of those items on their planned
dates, and the report deadlines of the current and next periods.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.dashboard.reporting import period_name
from tracker.dashboard.scope import department_clause
from tracker.extensions import db
from tracker.item_predicates import open_clause
from tracker.models import Milestone, MilestonePlan, Plan, ReportingPeriod, WorkItem
from tracker.workflow import can_see_all

logger = logging.getLogger(__name__)

PERIODS_PER_PLAN = 2  # the report being written now and the next one
PERIOD_HORIZON = timedelta(days=200)
UID_DOMAIN = "plan-tracker"


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    day: date
    summary: str
    description: str
    url: str | None
    category: str


def _item_events(user, today: date, link) -> tuple[list[FeedEvent], set[int]]:
    items = db.session.scalars(
        select(WorkItem)
        .options(joinedload(WorkItem.lead_department))
        .where(
            department_clause(user.department_id),
            open_clause(),
            WorkItem.due_date.is_not(None),
        )
        .order_by(WorkItem.due_date, WorkItem.id)
    ).all()
    events = []
    for item in items:
        overdue = item.due_date < today
        prefix = _("[Overdue]") if overdue else _("[Due]")
        lead = item.lead_department.short_name if item.lead_department else "—"
        events.append(
            FeedEvent(
                uid=f"item-{item.id}-due@{UID_DOMAIN}",
                day=item.due_date,
                summary=f"{prefix} {item.code} {item.title}",
                description=_(
                    "Lead department: %(lead)s. Verified progress: %(progress)s%%.",
                    lead=lead,
                    progress=item.progress,
                ),
                url=link("items.detail", item_id=item.id),
                category=_("Work item deadline"),
            )
        )
    return events, {item.plan_id for item in items}


def _milestone_events(user, link) -> list[FeedEvent]:
    """Approved milestones of the department's open items, on their planned dates (1 query)."""
    rows = db.session.execute(
        select(Milestone, WorkItem.code, WorkItem.title)
        .join(MilestonePlan, MilestonePlan.id == Milestone.plan_id)
        .join(WorkItem, WorkItem.id == Milestone.item_id)
        .where(
            department_clause(user.department_id),
            open_clause(),
            MilestonePlan.in_force(),  # approved by the office, not replaced by a revision
        )
        .order_by(Milestone.planned_date, WorkItem.id, Milestone.position)
    ).all()
    reached, planned = _("[Milestone reached]"), _("[Milestone]")
    return [
        FeedEvent(
            uid=f"milestone-{milestone.id}@{UID_DOMAIN}",
            day=milestone.planned_date,
            # A milestone the office verified as reached says so.
            summary=f"{reached if milestone.state == 'verified' else planned} "
            f"{code} {milestone.title}",
            description=_(
                "Milestone of %(code)s %(title)s: %(weight)s%% of the work, planned for this day.",
                code=code,
                title=title,
                weight=milestone.weight,
            ),
            url=link("items.detail", item_id=milestone.item_id),
            category=_("Work item milestone"),
        )
        for milestone, code, title in rows
    ]


def _period_events(user, plan_ids: set[int], today: date, link) -> list[FeedEvent]:
    plans = select(Plan.id).where(Plan.status == "active")
    if not can_see_all(user):
        plans = plans.where(Plan.id.in_(plan_ids or {0}))
    periods = db.session.scalars(
        select(ReportingPeriod)
        .where(
            ReportingPeriod.plan_id.in_(plans),
            ReportingPeriod.deadline >= today,
            ReportingPeriod.start_date <= today + PERIOD_HORIZON,
        )
        .order_by(ReportingPeriod.plan_id, ReportingPeriod.deadline)
    ).all()
    events, per_plan = [], {}
    for period in periods:
        per_plan[period.plan_id] = per_plan.get(period.plan_id, 0) + 1
        if per_plan[period.plan_id] > PERIODS_PER_PLAN:
            continue
        events.append(
            FeedEvent(
                uid=f"period-{period.id}-deadline@{UID_DOMAIN}",
                day=period.deadline,
                summary=_("Progress reports for %(period)s due", period=period_name(period.label)),
                description=_(
                    "Report deadline of the reporting period %(period)s.",
                    period=period_name(period.label),
                ),
                url=link("main.home"),
                category=_("Report deadline"),
            )
        )
    return events


def feed_events(user, today: date, link) -> list[FeedEvent]:
    """Every event of `user`'s feed (four queries); `link(endpoint, **args)` makes URLs."""
    items, plan_ids = _item_events(user, today, link)
    return items + _milestone_events(user, link) + _period_events(user, plan_ids, today, link)


def render_ics(events: list[FeedEvent], *, name: str, timezone: str, now: datetime) -> bytes:
    """An iCalendar (RFC 5545) document of all-day events."""
    calendar = Calendar()
    calendar.add("prodid", "-//Plan Tracker//规划督办//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone)
    # Ask calendar apps to look again every few hours, so new deadlines show up the same day.
    calendar.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT6H")
    stamp = now.replace(microsecond=0, tzinfo=UTC)  # DTSTAMP is a UTC instant
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("categories", [item.category])
        event.add("transp", "TRANSPARENT")
        if item.url:
            event.add("url", item.url)
        calendar.add_component(event)
    return calendar.to_ical()
