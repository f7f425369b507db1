"""Who acts: roles, how a user's department relates to an object, and the rule shape.

Pure data and functions shared by every state machine in this package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Role(StrEnum):
    """What a user may do, independent of which department they belong to."""

    ADMIN = "admin"
    OFFICE = "office"
    LIAISON = "liaison"
    LEADER = "leader"
    # 部门负责人/分管领导: signs off their department's reports before the office sees them.
    APPROVER = "approver"


class ReviewState(StrEnum):
    """States shared by work-item reports, indicator values and milestone plans."""

    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    VERIFIED = "verified"


# What the office reviews without a department's sign-off (indicator values, milestone plans
# and claims): every review state but pending_approval, which only reports pass through.
DIRECT_REVIEW_STATES = tuple(s for s in ReviewState if s is not ReviewState.PENDING_APPROVAL)


class QualityGrade(StrEnum):
    """The reviewer's grade of a verified report (优/良/中/差), scored by assessment rules."""

    EXCELLENT = "excellent"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"


OFFICE_ROLES = frozenset({Role.ADMIN, Role.OFFICE})
SEE_ALL_ROLES = frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER})


class Relation(StrEnum):
    """How the acting user's department relates to the object."""

    LEAD = "lead"
    CO = "co"
    NONE = "none"


# Who may take an action: a set of roles that may always do it, or liaisons (approvers)
# whose department stands in one of the given relations to the object.
@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role] = frozenset()
    liaison_relations: frozenset[Relation] = frozenset()
    approver_relations: frozenset[Relation] = frozenset()


LEAD = frozenset({Relation.LEAD})
LEAD_OR_CO = frozenset({Relation.LEAD, Relation.CO})


class Actor(Protocol):
    """The parts of a user the rules look at."""

    role: str
    department_id: int | None


@dataclass(frozen=True)
class Subject:
    """The parts of an item, report, indicator value or letter the rules look at.

    For a report, `lead_department_id` is its item's lead; for an indicator value it is the
    indicator's responsible department; for a letter, the addressed department. `state` is
    None for objects without review state.
    """

    lead_department_id: int | None
    co_department_ids: frozenset[int] = field(default_factory=frozenset)
    state: str | None = None
    closed: bool = False
    # For work items: a pending extension request is what the office can decide and what
    # the lead cannot ask for a second time.
    pending_extension: bool = False
    # A report the office entered for the department (代报): the office may edit and submit it.
    on_behalf: bool = False


def relation_of(actor: Actor, subject: Subject) -> Relation:
    """Whether the actor's department leads, co-owns or has nothing to do with the subject."""
    if actor.department_id is None:
        return Relation.NONE
    if actor.department_id == subject.lead_department_id:
        return Relation.LEAD
    if actor.department_id in subject.co_department_ids:
        return Relation.CO
    return Relation.NONE


def allowed(rule: Rule, actor: Actor, subject: Subject) -> bool:
    """Whether `rule` lets `actor` act on `subject`, by role or by department relation."""
    role = Role(actor.role)
    if role in rule.roles:
        return True
    if role is Role.LIAISON:
        return relation_of(actor, subject) in rule.liaison_relations
    if role is Role.APPROVER:
        return relation_of(actor, subject) in rule.approver_relations
    return False


def can_see_all(actor: Actor) -> bool:
    """Office, admins and leaders see every department's work; liaisons only their own."""
    return Role(actor.role) in SEE_ALL_ROLES


def is_office(actor: Actor) -> bool:
    """Reviewers: the leading-group office and administrators."""
    return Role(actor.role) in OFFICE_ROLES
