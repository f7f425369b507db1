"""领导批示: write_instruction (a leader, on an item) and answer_instruction (落实情况, the
lead department); open instructions are listed and reminded until answered."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from tracker import clock
from tracker.access import liaison_ids, link, office_ids, require
from tracker.audit import audit
from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.items.access import item_subject
from tracker.models import Instruction, WorkItem
from tracker.notices import queue_notice
from tracker.text import required_reason
from tracker.transitions import Notice, transition
from tracker.workdays import add_working_days
from tracker.workflow import Action, InstructionState, InstructionStep, can_see_all

logger = logging.getLogger(__name__)

MAX_TEXT = 4000


def write_instruction(
    actor, item: WorkItem, *, text: str, now: datetime | None = None
) -> Instruction:
    """A leader's instruction on an item; its lead department answers within
    INSTRUCTION_WORKING_DAYS working days. A closed (retired, completed) item: 409."""
    now = now or clock.now()
    require(actor, Action.WRITE_INSTRUCTION, item_subject(item), obj=f"item:{item.id}")
    text = required_reason(text, MAX_TEXT, _("Write the instruction."))
    if item.lead_department_id is None:
        raise ValidationFailed(_("Assign the item a lead department first."))
    days = int(current_app.config.get("INSTRUCTION_WORKING_DAYS", 5))
    row = Instruction(
        item_id=item.id,
        department_id=item.lead_department_id,
        author_id=getattr(actor, "id", None),
        text=text,
        created_at=now,
        answer_due=add_working_days(clock.local_date(now), days),
        state=InstructionState.OPEN.value,
    )
    db.session.add(row)
    db.session.flush()
    audit(actor, "instruction.written", row, now, after={"text": text[:500]}, item_id=item.id)
    queue_notice(
        set(liaison_ids([item.lead_department_id])) | set(office_ids()),
        "instruction_written",
        {"code": item.code, "text": text[:200]},
        link("signoff.instructions"),
    )
    db.session.flush()
    return row


def answer_instruction(
    actor, instruction: Instruction, *, answer: str, now: datetime | None = None
) -> Instruction:
    """落实情况: the lead department says what it did; an instruction is answered once."""
    now = now or clock.now()
    item = instruction.item
    require(
        actor, Action.ANSWER_INSTRUCTION, item_subject(item), obj=f"instruction:{instruction.id}"
    )
    answer = required_reason(answer, MAX_TEXT, _("Say what was done."))
    return transition(
        actor,
        instruction,
        InstructionStep.ANSWER,
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


def instructions_query(user, *, open_only: bool = True) -> Select:
    """Instructions the user may see (a liaison or approver: their department's), the
    open ones by answer day (ix_instruction_state_due)."""
    query = select(Instruction).options(
        joinedload(Instruction.item).selectinload(WorkItem.co_departments),
        joinedload(Instruction.department),
        joinedload(Instruction.author),
    )
    if open_only:
        query = query.where(Instruction.state == InstructionState.OPEN.value)
    if not can_see_all(user):
        query = query.where(Instruction.department_id == user.department_id)
    return query.order_by(Instruction.state.desc(), Instruction.answer_due, Instruction.id)
