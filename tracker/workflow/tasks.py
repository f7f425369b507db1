"""The smaller state machines around a work item: extension requests, 协调事项, 签收 and 批示.

Each is a (state, step) → state table; who may take a step is `review.RULES` of the
matching Action. The services move them through the one kernel (tracker/transitions.py).
"""

from __future__ import annotations

from enum import StrEnum

from tracker.workflow.review import Action


class ItemStatus(StrEnum):
    """How far a work item has come, driven only by verified reports."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class ExtensionState(StrEnum):
    """A deadline extension request (延期申请)."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class Decision(StrEnum):
    """The two outcomes of DECIDE_EXTENSION, each a transition of its own."""

    APPROVE = "approve"
    REFUSE = "refuse"


# A pending extension request is decided once; who may decide is RULES[DECIDE_EXTENSION].
EXTENSION_TRANSITIONS: dict[tuple[ExtensionState, Decision], ExtensionState] = {
    (ExtensionState.PENDING, Decision.APPROVE): ExtensionState.APPROVED,
    (ExtensionState.PENDING, Decision.REFUSE): ExtensionState.REFUSED,
}


class CoordinationState(StrEnum):
    """A coordination request (协调事项) opened by a verified report's 需协调事项."""

    OPEN = "open"
    RESOLVED = "resolved"


# An open coordination request is resolved once, with a note; RULES says who may.
COORDINATION_TRANSITIONS: dict[tuple[CoordinationState, Action], CoordinationState] = {
    (CoordinationState.OPEN, Action.RESOLVE_COORDINATION): CoordinationState.RESOLVED,
}


class AckState(StrEnum):
    """签收 of an assignment: the lead department acknowledges it or asks for another lead."""

    PENDING = "pending"
    ACKNOWLEDGED = "acknowledged"
    CHANGE_REQUESTED = "change_requested"  # 申请调整牵头单位, waiting for the office
    REASSIGNED = "reassigned"  # the office agreed and gave the item another lead
    SUPERSEDED = "superseded"  # the office reassigned the item meanwhile


class AckStep(StrEnum):
    """The moves of ACK_TRANSITIONS (who may take them: RULES of the matching Action)."""

    ACKNOWLEDGE = "acknowledge"
    REQUEST_CHANGE = "request_change"
    APPROVE_CHANGE = "approve_change"
    REFUSE_CHANGE = "refuse_change"
    SUPERSEDE = "supersede"


# An assignment is acknowledged once; a change request is decided once. Assigning the item
# anew (items.operations.assign_item) supersedes whatever is still open.
ACK_TRANSITIONS: dict[tuple[AckState, AckStep], AckState] = {
    (AckState.PENDING, AckStep.ACKNOWLEDGE): AckState.ACKNOWLEDGED,
    (AckState.PENDING, AckStep.REQUEST_CHANGE): AckState.CHANGE_REQUESTED,
    (AckState.CHANGE_REQUESTED, AckStep.APPROVE_CHANGE): AckState.REASSIGNED,
    (AckState.CHANGE_REQUESTED, AckStep.REFUSE_CHANGE): AckState.PENDING,
    (AckState.PENDING, AckStep.SUPERSEDE): AckState.SUPERSEDED,
    (AckState.ACKNOWLEDGED, AckStep.SUPERSEDE): AckState.SUPERSEDED,
    (AckState.CHANGE_REQUESTED, AckStep.SUPERSEDE): AckState.SUPERSEDED,
}


class InstructionState(StrEnum):
    """A leader's instruction (批示): open until the lead department answers (落实情况)."""

    OPEN = "open"
    ANSWERED = "answered"


class InstructionStep(StrEnum):
    ANSWER = "answer"


INSTRUCTION_TRANSITIONS: dict[tuple[InstructionState, InstructionStep], InstructionState] = {
    (InstructionState.OPEN, InstructionStep.ANSWER): InstructionState.ANSWERED,
}
