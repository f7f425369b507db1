"""The domain model, split by aggregate and re-exported here."""

from tracker.models.assessment import AssessmentCap, AssessmentRule, AssessmentRuleSet
from tracker.models.audit import AuditEvent, AuditEventImmutable
from tracker.models.calendar import HolidayEntry, HolidayYear
from tracker.models.imports import SpreadsheetImport
from tracker.models.letters import Letter, LetterCounter, letter_item
from tracker.models.notify import Notice, OutboxMessage, SchedulerRun
from tracker.models.org import ApiToken, Department, DepartmentAlias, LoginThrottle, User
from tracker.models.plan import Indicator, IndicatorValue, Plan, PlanImport, PlanNode
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
    "Department",
    "DepartmentAlias",
    "ExtensionRequest",
    "HolidayEntry",
    "HolidayYear",
    "Indicator",
    "IndicatorValue",
    "Letter",
    "LetterCounter",
    "LoginThrottle",
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
