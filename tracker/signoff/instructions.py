"""领导批示: write_instruction (a leader, on an item), write_coordination_instruction (on a
coordination request, 协调事项) and answer_instruction (落实情况, the lead or owner department);
open instructions are listed and reminded until answered."""

from __future__ import annotations

import logging
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from tracker import clock
from tracker.access import liaison_ids, link, office_ids, require
from tracker.audit import audit
from tracker.errors import InvalidTransition, NotFound, ValidationFailed
from tracker.extensions import db
from tracker.items.access import item_subject
from tracker.models import CoordinationRequest, Instruction, WorkItem
from tracker.notices import queue_notice
from tracker.security import log_security_event
from tracker.text import clean_text
from tracker.transitions import Notice, transition
from tracker.workdays import add_working_days
from tracker.workflow import (
    Action,
    CoordinationState,
    InstructionState,
    InstructionStep,
    Subject,
    can,
    can_see_all,
)

logger = logging.getLogger(__name__)

MAX_TEXT = 4000
STATES = tuple(state.value for state in InstructionState)


def _required(value, field: str, message: str) -> str:
    text = clean_text(value, MAX_TEXT)
    if not text:
        raise ValidationFailed({field: message})
    return text


def write_instruction(
    actor, item: WorkItem, *, text: str, now: datetime | None = None
) -> Instruction:
    """A leader's instruction on an item; its lead department answers within
    INSTRUCTION_WORKING_DAYS working days. A closed (retired, completed) item: 409."""
    now = now or clock.now()
    require(actor, Action.WRITE_INSTRUCTION, item_subject(item), obj=f"item:{item.id}")
    text = _required(text, "text", _("Write the instruction."))
    if item.lead_department_id is None:
        raise ValidationFailed(_("Assign the item a lead department first."))
    return _write(actor, item, item.lead_department_id, text, now)


def write_coordination_instruction(
    actor, request: CoordinationRequest, *, text: str, now: datetime | None = None
) -> Instruction:
    """A leader's instruction on a coordination request: the request's owner department
    answers. A resolved request, or one whose item was retired, takes none (409)."""
    now = now or clock.now()
    require(actor, Action.WRITE_INSTRUCTION, request.subject(), obj=f"coordination:{request.id}")
    if request.state != CoordinationState.OPEN.value:
        raise InvalidTransition(
            _("This coordination request has been resolved; it takes no more instructions.")
        )
    if request.item.retired_at is not None:
        raise InvalidTransition(
            _("The work item of this coordination request was retired; reopen it first.")
        )
    text = _required(text, "text", _("Write the instruction."))
    return _write(actor, request.item, request.department_id, text, now, request)


def _write(actor, item, department_id, text, now, request=None) -> Instruction:
    days = int(current_app.config.get("INSTRUCTION_WORKING_DAYS", 5))
    row = Instruction(
        item_id=item.id,
        coordination_id=request.id if request is not None else None,
        department_id=department_id,
        author_id=getattr(actor, "id", None),
        text=text,
        created_at=now,
        answer_due=add_working_days(clock.local_date(now), days),
        state=InstructionState.OPEN.value,
    )
    db.session.add(row)
    db.session.flush()
    after = {"text": text[:500]}
    if request is not None:
        after["coordination_id"] = request.id
    audit(actor, "instruction.written", row, now, after=after, item_id=item.id)
    queue_notice(
        set(liaison_ids([department_id])) | set(office_ids()),
        "instruction_written",
        {"code": item.code, "text": text[:200]},
        link("signoff.instructions"),
    )
    db.session.flush()
    return row


def instruction_subject(instruction: Instruction) -> Subject:
    """Who answers: the item's lead today, or the coordination request's owner department."""
    if instruction.coordination_id is not None:
        return instruction.coordination.subject()
    return item_subject(instruction.item)


def load_instruction(actor, instruction_id: int) -> Instruction:
    """The instruction, or NotFound when missing or its item (request) is not visible."""
    row = db.session.get(Instruction, instruction_id)
    if row is None or row.item is None:
        raise NotFound()
    if actor is not None and not can(actor, Action.VIEW, instruction_subject(row)):
        log_security_event("view", outcome="not_found", obj=f"instruction:{instruction_id}")
        raise NotFound()
    return row


def answer_instruction(
    actor,
    instruction: Instruction,
    *,
    answer: str,
    expected_version=None,
    now: datetime | None = None,
) -> Instruction:
    """落实情况: the lead department says what it did; an instruction is answered once (a
    second answer, or one sent from a stale page, is a 409)."""
    now = now or clock.now()
    item = instruction.item
    require(
        actor,
        Action.ANSWER_INSTRUCTION,
        instruction_subject(instruction),
        obj=f"instruction:{instruction.id}",
    )
    answer = _required(answer, "answer", _("Say what was done."))
    return transition(
        actor,
        instruction,
        InstructionStep.ANSWER,
        expected_version=expected_version,
        now=now,
        values={
            "answer": answer,
            "answered_by_id": getattr(actor, "id", None),
            "answered_at": now,
        },
        event="instruction.answered",
        before={"state": instruction.state},
        after=lambda r: {"state": r.state},
        comment=answer,
        item_id=item.id,
        notice=Notice(
            {instruction.author_id, *office_ids()},
            "instruction_answered",
            {"code": item.code},
            link("signoff.instructions"),
        ),
    )


def _conditions(user, state, department_id, overdue_on) -> list:
    conditions = []
    if state in STATES:
        conditions.append(Instruction.state == state)
    if department_id:
        conditions.append(Instruction.department_id == department_id)
    if overdue_on is not None:
        conditions += [
            Instruction.state == InstructionState.OPEN.value,
            Instruction.answer_due < overdue_on,
        ]
    if not can_see_all(user):
        conditions.append(Instruction.department_id == user.department_id)
    return conditions


def instructions_query(
    user,
    *,
    open_only: bool = True,
    state: str | None = None,
    department_id: int | None = None,
    overdue_on: date | None = None,
) -> Select:
    """Instructions the user may see (a liaison or approver: their department's), the
    open ones by answer day (ix_instruction_state_due); `overdue_on`: open and past due."""
    if open_only and state is None:
        state = InstructionState.OPEN.value
    query = select(Instruction).options(
        joinedload(Instruction.item).selectinload(WorkItem.co_departments),
        joinedload(Instruction.coordination),
        joinedload(Instruction.department),
        joinedload(Instruction.author),
    )
    query = query.where(*_conditions(user, state, department_id, overdue_on))
    return query.order_by(Instruction.state.desc(), Instruction.answer_due, Instruction.id)


def overdue_instructions_count_query(user, today: date) -> Select:
    """SELECT count(*) of the open instructions past their answer day the user may see; the
    office home folds it into a statement it runs anyway (its statement budget)."""
    return select(func.count(Instruction.id)).where(*_conditions(user, None, None, today))


def overdue_instruction_count(user, today: date) -> int:
    return db.session.scalar(overdue_instructions_count_query(user, today)) or 0
