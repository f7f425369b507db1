"""The review kernel: the one function that moves a work-item report, an indicator value, an
extension request, a coordination request, a supervision letter, a milestone, an assignment
(签收) or a leader's instruction from one state to another.

`transition(actor, obj, action, …)` reads the from-states and the to-state from the tables in
tracker.workflow (`TRANSITIONS` for reports, `DIRECT_TRANSITIONS` — the same without the
department's sign-off — for indicator values and milestones, `EXTENSION_TRANSITIONS` for
extension requests, `LETTER_TRANSITIONS` for letters, `COORDINATION_TRANSITIONS` for
coordination requests) and runs one conditional UPDATE

    UPDATE … SET state = CASE state WHEN :from THEN :to … END, version = version + 1, …
    WHERE id = :id AND state IN (:from …) AND version = :v

whose row count decides who won: of two people acting at once exactly one does (on PostgreSQL
the second waits for the first to commit, then finds its condition false; on SQLite writers
are serialised). The loser is refused before anything is written, so there is nothing to undo
and no savepoint is taken (see `review.operations.bulk_verify`). Only the winner runs the
caller's follow-up `effects`, writes the audit event and queues the notice.

Milestone plans and milestones (reached claims) move through `DIRECT_TRANSITIONS` like indicator
values: nothing but a report waits for a department head's sign-off.

The caller checks permission first (`tracker.access.require`): the kernel knows states, not
people. No other module writes `state` of these models.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, update

from tracker import clock
from tracker.audit import audit
from tracker.errors import DomainError, InvalidTransition, StaleVersion
from tracker.extensions import db
from tracker.locking import check_readable, lost_claim, version_expected
from tracker.models import (
    CoordinationRequest,
    ExtensionRequest,
    IndicatorValue,
    Instruction,
    ItemAssignment,
    Letter,
    Milestone,
    MilestonePlan,
    Report,
)
from tracker.notices import queue_notice
from tracker.templating import STATE_LABELS
from tracker.workflow import (
    ACK_TRANSITIONS,
    COORDINATION_TRANSITIONS,
    DIRECT_TRANSITIONS,
    EXTENSION_TRANSITIONS,
    INSTRUCTION_TRANSITIONS,
    LETTER_TRANSITIONS,
    TRANSITIONS,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    """A notice to queue once the transition has won."""

    recipients: Iterable[int]
    kind: str
    params: dict
    link: str | None


# --- how each kind reads a form's version and explains a lost race ---------------------------


def _report_version(obj, expected_version) -> int:
    check_readable(expected_version, obj)
    return obj.version if expected_version is None else int(expected_version)


def _report_lost(obj, expected: int | None, _from_states) -> DomainError:
    # Version first: a reviewer whose page is out of date learns that, even if the state
    # moved too (tracker.locking).
    return lost_claim(Report, obj, expected, guarded=True)


def _value_version(obj, expected_version) -> int:
    return version_expected(expected_version, obj.version)


def _value_lost(obj, _expected: int | None, from_states) -> DomainError:
    # State first: "someone acted on it first" says more than "stale" on the review pages.
    db.session.refresh(obj)
    if obj.state not in from_states:
        return InvalidTransition(
            _(
                "This value is %(state)s now; someone acted on it first.",
                state=str(STATE_LABELS.get(obj.state, obj.state)),
            )
        )
    return StaleVersion(current_version=obj.version)


def _milestone_lost(obj, _expected: int | None, from_states) -> DomainError:
    # State first, as for indicator values: "someone acted on it first" says more.
    db.session.refresh(obj)
    if obj.state not in from_states:
        return InvalidTransition(
            _(
                "This milestone plan is %(state)s now; someone acted on it first.",
                state=str(STATE_LABELS.get(obj.state, obj.state)),
            )
        )
    return StaleVersion(current_version=obj.version)


def _extension_lost(_obj, _expected: int | None, _from_states) -> DomainError:
    return InvalidTransition(_("This extension request has already been decided."))


def _letter_lost(obj, _expected: int | None, from_states) -> DomainError:
    db.session.refresh(obj)
    if obj.state not in from_states:
        return InvalidTransition(_("This letter has already been answered, closed or cancelled."))
    return StaleVersion(current_version=obj.version)


def _coordination_lost(_obj, _expected: int | None, _from_states) -> DomainError:
    return InvalidTransition(_("This coordination request has already been resolved."))


def _assignment_lost(_obj, _expected: int | None, _from_states) -> DomainError:
    return InvalidTransition(
        _("This assignment has already been acknowledged, contested or decided.")
    )


def _instruction_lost(obj, _expected: int | None, from_states) -> DomainError:
    # State first: "already answered" says more than "stale" to whoever answers second.
    db.session.refresh(obj)
    if obj.state not in from_states:
        return InvalidTransition(_("This instruction has already been answered."))
    return StaleVersion(current_version=obj.version)


@dataclass(frozen=True)
class Kind:
    """One model that moves through a transition table."""

    table: Mapping[tuple[str, str], str]
    read_version: Callable[[Any, Any], int] | None  # None: the model carries no version
    lost: Callable[[Any, int | None, tuple[str, ...]], DomainError]


KINDS: dict[type, Kind] = {
    Report: Kind(TRANSITIONS, _report_version, _report_lost),
    IndicatorValue: Kind(DIRECT_TRANSITIONS, _value_version, _value_lost),
    ExtensionRequest: Kind(EXTENSION_TRANSITIONS, None, _extension_lost),
    Letter: Kind(LETTER_TRANSITIONS, _value_version, _letter_lost),
    # 形象进度计划 (tracker/items/milestones.py): the plan is proposed and approved; each
    # milestone's state is the claim that it was reached.
    MilestonePlan: Kind(DIRECT_TRANSITIONS, _value_version, _milestone_lost),
    Milestone: Kind(DIRECT_TRANSITIONS, _value_version, _milestone_lost),
    CoordinationRequest: Kind(COORDINATION_TRANSITIONS, None, _coordination_lost),
    ItemAssignment: Kind(ACK_TRANSITIONS, None, _assignment_lost),
    Instruction: Kind(INSTRUCTION_TRANSITIONS, _value_version, _instruction_lost),
}


def moves(model: type, action) -> dict[str, str]:
    """{from-state: to-state} for `action` on `model`, straight from the table."""
    return {str(frm): str(to) for (frm, act), to in KINDS[model].table.items() if act == action}


def transition(
    actor,
    obj,
    action,
    *,
    expected_version=None,
    now: datetime | None = None,
    values: dict | None = None,
    effects: Callable[[Any], dict | None] | None = None,
    event: str | None = None,
    before: dict | Callable[[Any], dict] | None = None,
    after: dict | Callable[[Any], dict | None] | None = None,
    comment: str | None = None,
    item_id: int | None = None,
    notice: Notice | Callable[[Any], Notice | None] | None = None,
):
    """Move `obj` by `action` if it is still in one of the action's from-states (and, for a
    versioned model, at `expected_version`; None: as this session loaded it).

    `values` are written by the same UPDATE. After it has won: `effects(obj)` (follow-up
    writes; a dict it returns joins the audit's `after`), the audit event `event` (`before`
    and `after` may be callables of the moved object; skipped when `after` is a callable that
    returns None: nothing worth recording), then `notice` (or a callable making it).
    Raises StaleVersion or InvalidTransition, having written nothing, when it lost.
    """
    now = now or clock.now()
    kind = KINDS[type(obj)]
    model = type(obj)
    table = moves(model, action)
    expected = kind.read_version(obj, expected_version) if kind.read_version else None
    if not table:
        raise kind.lost(obj, expected, ())
    targets = set(table.values())
    state = targets.pop() if len(targets) == 1 else case(table, value=model.state)
    values = dict(values or {})
    conditions = [model.id == obj.id, model.state.in_(list(table))]
    if expected is not None:
        conditions.append(model.version == expected)
        values["version"] = model.version + 1
    result = db.session.execute(
        update(model)
        .where(*conditions)
        .values(state=state, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise kind.lost(obj, expected, tuple(table))
    db.session.refresh(obj, attribute_names=["state", *values])
    extra = effects(obj) if effects else None
    if event:
        payload = after(obj) if callable(after) else after
        if payload is not None or not callable(after):
            if extra:
                payload = {**(payload or {}), **extra}
            audit(
                actor,
                event,
                obj,
                now,
                before=before(obj) if callable(before) else before,
                after=payload,
                comment=comment,
                item_id=item_id,
            )
    message = notice(obj) if callable(notice) else notice
    if message is not None:
        queue_notice(message.recipients, message.kind, message.params, message.link)
    return obj


# A reached claim is a fact the office decided once; a revision of the plan does not reopen it.
CLAIM_FIELDS = (
    "state",
    "reached_on",
    "submitted_at",
    "reviewer_id",
    "reviewed_at",
    "review_comment",
)


def carry_claim(source: Milestone, target: Milestone) -> bool:
    """Copy a milestone's claim (state and review) from a plan being superseded onto its
    namesake in the revision replacing it, only while that one is unclaimed (draft). Called
    from the revision's VERIFY `effects`, so it is part of the transition that won."""
    result = db.session.execute(
        update(Milestone)
        .where(Milestone.id == target.id, Milestone.state == "draft")
        .values(**{f: getattr(source, f) for f in CLAIM_FIELDS}, version=Milestone.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(target)
    return result.rowcount == 1
