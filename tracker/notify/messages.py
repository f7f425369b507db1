"""What a message is before it enters the outbox, who receives it, and links back to the app."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.headerregistry import Address
from functools import lru_cache

from flask import current_app, g
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Department, User
from tracker.workflow import Role

logger = logging.getLogger(__name__)

KINDS = ("remind", "overdue", "escalate", "digest")

# Any control character (CR, LF, NUL, tab …) in a header value could end the header early.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]+")


@dataclass
class MessageDraft:
    """One mail the jobs decided to send; `as_json` is the CLI's contract."""

    kind: str
    dedupe_key: str
    to: list[str]
    cc: list[str]
    department_id: int | None
    department: str | None  # the department's short name; None for the city-wide digest
    subject: str
    items: list[str]
    template: str  # templates/email/<template>.txt and .html
    context: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "to": list(self.to),
            "cc": list(self.cc),
            "department": self.department,
            "subject": self.subject,
            "items": list(self.items),
            "dedupe_key": self.dedupe_key,
        }


@dataclass
class Skipped:
    """A message nobody could receive (no liaison with an email): reported, never lost."""

    dedupe_key: str
    department: str | None
    reason: str


@dataclass
class Planned:
    """What a job decided: the drafts to queue and the messages nobody could receive."""

    drafts: list[MessageDraft]
    skipped: list[Skipped]


def clean_header(value: str, limit: int = 250) -> str:
    """One line of header text: control characters become spaces, long values are cut."""
    value = _CONTROL.sub(" ", value or "").strip()
    return value if len(value) <= limit else value[: limit - 1] + "…"


def shorten(value: str, limit: int = 60) -> str:
    value = clean_header(value, limit=10_000)
    return value if len(value) <= limit else value[: limit - 1] + "…"


@lru_cache(maxsize=65536)
def valid_address(value: str | None) -> str | None:
    """The address if it is one plain addr-spec (no name, no CR/LF, no list), else None.

    Cached: the stdlib parser costs ~0.15 ms and a run checks the same few thousand
    addresses over and over (4 of the 6 s of a 10,000-item reminder run before caching).
    """
    if not value:
        return None
    value = value.strip()
    if not value or _CONTROL.search(value) or "," in value or "@" not in value:
        return None
    try:
        Address(addr_spec=value)
    except (ValueError, IndexError, TypeError):
        return None
    return value


def unique_addresses(values: Iterable[str | None], exclude: Iterable[str] = ()) -> list[str]:
    """Valid addresses in order, each once (case-insensitively), minus `exclude`."""
    seen = {e.lower() for e in exclude}
    result = []
    for value in values:
        address = valid_address(value)
        if address and address.lower() not in seen:
            seen.add(address.lower())
            result.append(address)
    return result


@dataclass
class Directory:
    """Everyone a job may write to, loaded in a few set-based queries."""

    liaisons: dict[int, list[str]]  # department id -> reminder recipients
    digest_readers: dict[int, list[str]]  # department id -> digest recipients (opt-outs removed)
    office: list[str]  # office staff: escalation copies
    office_digest: list[str]  # the city-wide digest (office staff and office leaders)
    departments: dict[int, Department]

    def liaisons_of(self, department_id: int) -> list[str]:
        return self.liaisons.get(department_id, [])

    def head_of(self, department_id: int) -> list[str]:
        department = self.departments.get(department_id)
        return unique_addresses([department.head_email if department else None])

    def short_name(self, department_id: int | None) -> str | None:
        department = self.departments.get(department_id) if department_id else None
        return department.short_name if department else None


def load_directory() -> Directory:
    """Active users with an email, by department and role; users without one are skipped."""
    rows = db.session.execute(
        select(
            User.department_id,
            User.role,
            User.email,
            User.digest_opt_out,
            Department.is_office,
        )
        .join(Department, Department.id == User.department_id)
        .where(User.active.is_(True), User.email.is_not(None), func.length(User.email) > 0)
        .order_by(User.department_id, User.id)
    ).all()
    liaisons: dict[int, list[str]] = defaultdict(list)
    readers: dict[int, list[str]] = defaultdict(list)
    office: list[str] = []
    office_digest: list[str] = []
    for row in rows:
        address = valid_address(row.email)
        if address is None:
            logger.warning(
                "skipping an invalid email address of a user in department %s", row.department_id
            )
            continue
        if row.role == "liaison":
            liaisons[row.department_id].append(address)
        if row.role == "office":
            office.append(address)
        if row.digest_opt_out:
            continue
        if row.role == "office" or (row.role == "leader" and row.is_office):
            office_digest.append(address)
        elif row.role in (Role.LIAISON, Role.LEADER):
            readers[row.department_id].append(address)
    departments = {d.id: d for d in db.session.scalars(select(Department))}
    return Directory(
        liaisons={k: unique_addresses(v) for k, v in liaisons.items()},
        digest_readers={k: unique_addresses(v) for k, v in readers.items()},
        office=unique_addresses(office),
        office_digest=unique_addresses(office_digest),
        departments=departments,
    )


def external_url(endpoint: str, **values) -> str:
    """An absolute link for mail (no request here), from EXTERNAL_URL."""
    base = current_app.config["EXTERNAL_URL"].rstrip("/")
    return base + current_app.url_map.bind("localhost").build(endpoint, values)


_ITEM_ID_PLACEHOLDER = 9_876_543_210


def item_url(item_id: int) -> str:
    """The item page's absolute URL; built once per job and filled in (a job builds thousands)."""
    if "notify_item_url" not in g:
        g.notify_item_url = external_url("items.detail", item_id=_ITEM_ID_PLACEHOLDER)
    return g.notify_item_url.replace(str(_ITEM_ID_PLACEHOLDER), str(int(item_id)))
