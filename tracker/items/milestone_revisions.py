"""Revisions of an approved 形象进度计划: which plan is in force, which one is under way, the
history, and the swap when the office verifies a revision (docs/architecture.md)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import MilestonePlan
from tracker.transitions import carry_claim
from tracker.workflow import ReviewState

logger = logging.getLogger(__name__)

VERIFIED = ReviewState.VERIFIED.value
# Claims a revision inherits from the plan it replaces, by milestone title.
CARRIED_STATES = (ReviewState.SUBMITTED.value, ReviewState.VERIFIED.value)


def _current(*conditions):
    return (
        select(MilestonePlan)
        .where(MilestonePlan.superseded_at.is_(None), *conditions)
        .options(selectinload(MilestonePlan.milestones))
        .order_by(MilestonePlan.revision.desc())
        .limit(1)
    )


def plan_in_force(item_id: int) -> MilestonePlan | None:
    """The approved plan that drives the item's schedule, or None."""
    return db.session.scalar(
        _current(MilestonePlan.item_id == item_id, MilestonePlan.state == VERIFIED)
    )


def open_plan(item_id: int) -> MilestonePlan | None:
    """The plan being written or reviewed (draft, submitted, returned): the first plan or a
    revision of the one in force. There is at most one."""
    return db.session.scalar(
        _current(MilestonePlan.item_id == item_id, MilestonePlan.state != VERIFIED)
    )


def plan_history(item_id: int) -> list[MilestonePlan]:
    """Every plan that was ever in force, newest first (the in-force one included): each was
    in force from its `reviewed_at` until its `superseded_at`."""
    return list(
        db.session.scalars(
            select(MilestonePlan)
            .where(MilestonePlan.item_id == item_id, MilestonePlan.state == VERIFIED)
            .options(selectinload(MilestonePlan.milestones))
            .order_by(MilestonePlan.revision.desc())
        )
    )


def lock_plan(plan: MilestonePlan) -> None:
    """SELECT … FOR UPDATE the plan in force while a revision of it is started, so two
    liaisons starting one at once queue up (the second then finds the first's draft)."""
    db.session.execute(
        select(MilestonePlan.id).where(MilestonePlan.id == plan.id).with_for_update()
    )


def supersede(revision: MilestonePlan, now: datetime) -> dict | None:
    """Called by the kernel once `revision` has won its VERIFY: the plan it replaces stops
    being in force (kept as history) and reached claims carry over by title."""
    old = db.session.scalar(
        select(MilestonePlan)
        .where(
            MilestonePlan.item_id == revision.item_id,
            MilestonePlan.state == VERIFIED,
            MilestonePlan.superseded_at.is_(None),
            MilestonePlan.id != revision.id,
        )
        .options(selectinload(MilestonePlan.milestones))
    )
    if old is None:
        return None
    db.session.execute(
        update(MilestonePlan)
        .where(MilestonePlan.id == old.id, MilestonePlan.superseded_at.is_(None))
        .values(superseded_at=now, version=MilestonePlan.version + 1)
        .execution_options(synchronize_session=False)
    )
    carried = carry_over(old, revision)
    db.session.expire(old)
    return {"supersedes": old.revision, "carried": carried}


def carry_over(old: MilestonePlan, revision: MilestonePlan) -> list[str]:
    """A milestone of the revision with the same title as one the office verified as reached
    (or that waits for its decision) in the old plan keeps that claim: reached is a fact,
    not a plan. Others start unclaimed."""
    claims = {m.title: m for m in old.milestones if m.state in CARRIED_STATES}
    carried = []
    for step in revision.milestones:
        claim = claims.get(step.title)
        if claim is not None and carry_claim(claim, step):
            carried.append(step.title)
    return carried
