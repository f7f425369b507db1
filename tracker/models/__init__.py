"""The domain model, split by aggregate and re-exported here."""

from tracker.models.acknowledge import ItemAssignment
from tracker.models.assessment import AssessmentCap, AssessmentRule, AssessmentRuleSet
from tracker.models.audit import AuditEvent, AuditEventImmutable
from tracker.models.cache import DataGeneration
from tracker.models.calendar import HolidayEntry, HolidayYear
from tracker.models.coordination import CoordinationRequest
from tracker.models.imports import SpreadsheetImport
from tracker.models.instruction import Instruction
from tracker.models.letters import Letter, LetterCounter, letter_item
from tracker.models.notify import DigestLight, Notice, OutboxMessage, SchedulerRun
from tracker.models.org import ApiToken, Department, DepartmentAlias, LoginThrottle, User
from tracker.models.plan import Indicator, IndicatorValue, Plan, PlanImport, PlanNode
from tracker.models.schedule import Milestone, MilestonePlan
from tracker.models.work import (
    Attachment,
    Contribution,
    ExtensionRequest,
    Report,
    ReportingPeriod,
    ReportRevision,
    WorkItem,
    item_co_department,
)

__all__ = [
    "ApiToken",
    "AssessmentCap",
    "AssessmentRule",
    "AssessmentRuleSet",
    "Attachment",
    "AuditEvent",
    "AuditEventImmutable",
    "Contribution",
    "CoordinationRequest",
    "DataGeneration",
    "Department",
    "DepartmentAlias",
    "DigestLight",
    "ExtensionRequest",
    "HolidayEntry",
    "HolidayYear",
    "Indicator",
    "IndicatorValue",
    "Letter",
    "LetterCounter",
    "Instruction",
    "ItemAssignment",
    "LoginThrottle",
    "Milestone",
    "MilestonePlan",
    "Notice",
    "OutboxMessage",
    "Plan",
    "PlanImport",
    "PlanNode",
    "Report",
    "ReportRevision",
    "ReportingPeriod",
    "SchedulerRun",
    "SpreadsheetImport",
    "User",
    "WorkItem",
    "item_co_department",
    "letter_item",
]
