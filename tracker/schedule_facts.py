"""The stored facts behind an item's 序时进度 light, kept in step by every write.

An item's light (tracker.schedule) needs, besides the item's own columns and today's date,
three facts that live in other tables:

- `schedule_actual`: its actual progress — the item's progress once a report is verified,
  or the weights of its verified milestones, whichever is larger;
- `schedule_basis`: `milestones` while an approved milestone plan drives it, else `linear`;
- `schedule_grey_days`: the length of its plan's reporting period while nothing is verified
  yet (the grey window), NULL afterwards.

Lighting every item of the city with correlated subqueries cost ~4–10 µs per item per
statement (issue 20: two such statements on the office home, two on the dashboard), so the
three are columns of `work_item`. None depends on the date — the expected progress and the
light are still computed at read time (tracker.schedule_query) — so they change only when an
input is written, and this module is where that is caught:

- unit-of-work flushes: `before_flush` notes the items whose inputs are new, changed or
  deleted (reports, milestones, milestone plans, the item's own progress, a plan's reporting
  frequency); `after_flush_postexec` refreshes them in the same transaction;
- ORM bulk statements (the review kernel's compare-and-swap UPDATEs, bulk milestone writes):
  `do_orm_execute` selects the items an UPDATE or DELETE will touch *before* it runs (its
  WHERE may test the very state it changes), runs it, then refreshes them.

Writes that bypass the ORM session (the bench generator's bulk load, SQL typed by hand) must
call `refresh_facts` themselves; the nightly `items.schedule_facts` job recomputes every item and
logs any that had drifted (`stale_items`), so a missed path shows up rather than lingering.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import and_, case, event, or_, select, update
from sqlalchemy.orm import Session, attributes
from sqlalchemy.orm.util import identity_key

from tracker.models import Milestone, MilestonePlan, Plan, Report, WorkItem
from tracker.schedule_query import (
    VERIFIED,
    approved_plan_exists,
    greatest,
    period_days_of_plan,
    verified_report_exists,
    weights_of,
)

logger = logging.getLogger(__name__)

FACT_ATTRS = ("schedule_actual", "schedule_basis", "schedule_grey_days")

# Which columns of which table feed the facts (a write elsewhere leaves them alone).
INPUTS = {
    "work_item": {"progress", "plan_id"},
    "report": {"state", "item_id"},
    "milestone": {"state", "weight", "item_id", "plan_id"},
    "milestone_plan": {"state", "superseded_at", "item_id"},
    "plan": {"frequency"},
}
CHILDREN = {"report": Report, "milestone": Milestone, "milestone_plan": MilestonePlan}

# Item ids to refresh are collected per session between before_flush and its postexec.
PENDING = "schedule_facts_pending"

# ---------------------------------------------------------------- the computation


def fact_values() -> dict:
    """The three facts as SQL over `work_item` (correlated to the row being updated)."""
    reported = verified_report_exists()
    reached = weights_of(Milestone.state == VERIFIED)
    return {
        "schedule_actual": greatest(case((reported, WorkItem.progress), else_=0), reached),
        "schedule_basis": case((approved_plan_exists(), "milestones"), else_="linear"),
        "schedule_grey_days": case(
            (and_(~reported, reached == 0), period_days_of_plan()), else_=None
        ),
    }


def refresh_facts(connection, item_ids: Iterable[int] | None = None) -> int:
    """Recompute the stored facts of these items (every item when None): one UPDATE per
    500 ids. Returns the number of rows updated."""
    # updated_at is kept: a recomputed fact is not an edit of the item.
    statement = update(WorkItem).values(**fact_values(), updated_at=WorkItem.updated_at)
    if item_ids is None:
        return connection.execute(statement).rowcount
    ids = sorted({i for i in item_ids if i is not None})
    count = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        count += connection.execute(statement.where(WorkItem.id.in_(chunk))).rowcount
    return count


def stale_items(session, limit: int | None = None) -> list[int]:
    """Ids of items whose stored facts differ from a fresh computation (should be none)."""
    differs = [
        getattr(WorkItem, name).is_distinct_from(expression)
        for name, expression in fact_values().items()
    ]
    query = select(WorkItem.id).where(or_(*differs)).order_by(WorkItem.id)
    return list(session.scalars(query if limit is None else query.limit(limit)))


def repair_facts(session) -> list[int]:
    """Refresh the items whose stored facts had drifted (a write that bypassed the session);
    returns their ids, logged as a warning — a non-empty answer means a path to fix."""
    stale = stale_items(session)
    if stale:
        logger.warning(
            "schedule facts of %d items had drifted (first ids: %s); refreshed",
            len(stale),
            ", ".join(map(str, stale[:20])),
        )
        _refresh_and_expire(session, session.connection(), set(stale))
    return stale


# ---------------------------------------------------------------- unit-of-work flushes


def _changed(obj, names: set[str]) -> bool:
    state = attributes.instance_state(obj)
    return any(name in state.attrs and state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Session, "before_flush")
def _note_inputs(session, _flush_context, _instances) -> None:
    pending = session.info.setdefault(PENDING, [])
    for obj in session.new:
        if isinstance(obj, (WorkItem, Report, Milestone, MilestonePlan)):
            pending.append(obj)
    for obj in session.dirty:
        table = getattr(obj, "__tablename__", None)
        if table in INPUTS and _changed(obj, INPUTS[table]):
            if isinstance(obj, Plan):
                pending.append(("plan", obj.id))
            else:
                pending.append(obj)
            # A child moved to another item: the old item loses it.
            if table in CHILDREN and _changed(obj, {"item_id"}):
                history = attributes.instance_state(obj).attrs["item_id"].history
                pending.extend(("item", old) for old in history.deleted or ())
    for obj in session.deleted:
        if isinstance(obj, (Report, Milestone, MilestonePlan)):
            pending.append(("item", obj.item_id))


@event.listens_for(Session, "after_flush_postexec")
def _refresh_noted(session, _flush_context) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    ids: set[int] = set()
    plans: set[int] = set()
    for entry in pending:
        if isinstance(entry, tuple):
            (plans if entry[0] == "plan" else ids).add(entry[1])
        elif isinstance(entry, WorkItem):
            ids.add(entry.id)
        else:
            ids.add(entry.item_id)
    connection = session.connection()
    if plans:
        ids.update(connection.scalars(select(WorkItem.id).where(WorkItem.plan_id.in_(plans))))
    _refresh_and_expire(session, connection, ids)


def _refresh_and_expire(session, connection, ids: set[int]) -> None:
    ids.discard(None)
    if not ids:
        return
    refresh_facts(connection, ids)
    # Loaded items would otherwise keep the facts they were read with.
    for item_id in ids:
        obj = session.identity_map.get(identity_key(WorkItem, item_id))
        if obj is not None:
            session.expire(obj, FACT_ATTRS)


# ---------------------------------------------------------------- ORM bulk statements


def _written_columns(statement) -> set[str] | None:
    """Names of the columns an UPDATE sets; None when it cannot be told (then: all)."""
    values = getattr(statement, "_values", None)
    if not values:
        return None
    return {getattr(key, "key", None) or getattr(key, "name", None) or str(key) for key in values}


@event.listens_for(Session, "do_orm_execute")
def _watch_bulk_writes(state):
    if not (state.is_update or state.is_delete or state.is_insert):
        return None
    statement = state.statement
    table = getattr(statement, "table", None)
    name = getattr(table, "name", None)
    if name not in INPUTS:
        return None
    if state.is_insert:
        rows = state.parameters if isinstance(state.parameters, list) else [state.parameters]
        rows = [row for row in rows if row]
        if name in CHILDREN and rows and all("item_id" in row for row in rows):
            result = state.invoke_statement()
            connection = state.session.connection()
            _refresh_and_expire(state.session, connection, {row["item_id"] for row in rows})
            return result
        return None  # new items and plans: their facts start from the defaults or a flush
    if state.is_update:
        written = _written_columns(statement)
        if written is not None and not (written & INPUTS[name]):
            return None
    connection = state.session.connection()
    where = statement.whereclause
    if name == "plan":
        plan_ids = select(Plan.id)
        if where is not None:
            plan_ids = plan_ids.where(where)
        affected = select(WorkItem.id).where(WorkItem.plan_id.in_(plan_ids))
    else:
        key = WorkItem.id if name == "work_item" else CHILDREN[name].item_id
        affected = select(key)
        if where is not None:
            affected = affected.where(where)
    ids = set(connection.scalars(affected))
    result = state.invoke_statement()
    _refresh_and_expire(state.session, connection, ids)
    return result
