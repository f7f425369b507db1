"""The embedded Shaoxing demo: departments, users and (from later areas) plan and work."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from tracker.admin.operations import create_user, save_department
from tracker.extensions import db
from tracker.models import Department, User

logger = logging.getLogger(__name__)

DEMO_DIR = Path(__file__).parent
DEPARTMENTS_FILE = DEMO_DIR / "departments.json"


@dataclass
class DemoResult:
    """What a demo run created; passwords only for accounts created in this run."""

    created_logins: list[tuple[str, str, str, str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def read_departments() -> list[dict]:
    return json.loads(DEPARTMENTS_FILE.read_text(encoding="utf-8"))["departments"]


def load_departments() -> dict[str, Department]:
    """Create the Shaoxing units that do not exist yet; returns them by demo code."""
    by_code = {}
    for entry in read_departments():
        department = db.session.scalar(
            select(Department).where(Department.short_name == entry["short_name"])
        )
        if department is None:
            department = save_department(
                None,
                None,
                name=entry["name"],
                short_name=entry["short_name"],
                kind=entry["kind"],
                aliases=entry["aliases"],
            )
        by_code[entry["code"]] = department
    return by_code


def _ensure_user(
    result: DemoResult, username: str, role: str, department: Department, name: str
) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user, password = create_user(
            None,
            username=username,
            role=role,
            department=department,
            name=name,
            email=f"{username}@demo.shaoxing.example",
            must_change_password=False,
        )
        result.created_logins.append((username, password, role, department.short_name))
    return user


def load_users(result: DemoResult, departments: dict[str, Department]) -> None:
    """An admin, two office reviewers, a leader and one liaison per department."""
    office = departments["zqb"]
    _ensure_user(result, "admin", "admin", office, "系统管理员")
    _ensure_user(result, "office", "office", office, "督办室 审核员")
    _ensure_user(result, "office2", "office", office, "督办室 审核员二")
    _ensure_user(result, "leader", "leader", departments["zfb"], "市领导（演示）")
    for entry in read_departments():
        if entry["kind"] == "office":
            continue
        _ensure_user(
            result,
            f"liaison-{entry['code']}",
            "liaison",
            departments[entry["code"]],
            f"{entry['short_name']}联络员",
        )


def load_demo(now: datetime | None = None) -> DemoResult:
    """Load everything the demo needs; safe to run again (creates only what is missing)."""
    from tracker.demo.steps import extra_demo_steps

    result = DemoResult()
    departments = load_departments()
    load_users(result, departments)
    db.session.flush()
    for step in extra_demo_steps():
        step(result, departments, now)
        db.session.flush()
    return result
