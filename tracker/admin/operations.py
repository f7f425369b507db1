"""Operations on users and departments; each checks, changes, audits and flushes."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import exists, func, or_, select

from tracker.audit import record_event, snapshot
from tracker.auth.operations import end_all_sessions, generate_password, hash_password
from tracker.errors import PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.models import (
    Department,
    DepartmentAlias,
    Indicator,
    User,
    WorkItem,
    item_co_department,
)
from tracker.workflow import Role

USER_FIELDS = (
    "username",
    "name",
    "email",
    "role",
    "department_id",
    "active",
    "locale",
    "dingtalk_user_id",
    "mobile",
)
DEPARTMENT_FIELDS = ("name", "short_name", "kind", "active", "head_email", "robot_webhook")


def _contacts():
    """The notify area's check of DingTalk ids and mobiles (imported late: no import cycle)."""
    from tracker.notify.contacts import clean_contacts

    return clean_contacts


def _require_admin(actor) -> None:
    if actor is not None and actor.role != Role.ADMIN:
        raise PermissionDenied()


def find_department(name: str) -> Department | None:
    """A department by full name, short name or alias (whitespace ignored)."""
    key = "".join(name.split())
    if not key:
        return None
    return db.session.scalar(
        select(Department)
        .outerjoin(DepartmentAlias)
        .where(
            or_(Department.name == key, Department.short_name == key, DepartmentAlias.alias == key)
        )
        .limit(1)
    )


def create_user(
    actor,
    *,
    username: str,
    role: str,
    department: Department,
    email: str | None = None,
    name: str = "",
    password: str | None = None,
    must_change_password: bool = True,
    dingtalk_user_id: str | None = None,
    mobile: str | None = None,
) -> tuple[User, str]:
    """Create a user; returns it with the password (generated when none is given)."""
    _require_admin(actor)
    username = username.strip()
    if not username or len(username) > 64:
        raise ValidationFailed({"username": _("A username of 1 to 64 characters is required.")})
    if role not in {r.value for r in Role}:
        raise ValidationFailed({"role": _("Unknown role.")})
    if db.session.scalar(select(exists().where(func.lower(User.username) == username.lower()))):
        raise ValidationFailed({"username": _("This username is taken.")})
    dingtalk_user_id, mobile = _contacts()(dingtalk_user_id, mobile)
    password = password or generate_password()
    user = User(
        username=username,
        role=role,
        department=department,
        email=email or None,
        name=name,
        dingtalk_user_id=dingtalk_user_id,
        mobile=mobile,
        password_hash=hash_password(password),
        must_change_password=must_change_password,
    )
    db.session.add(user)
    db.session.flush()
    record_event(actor, "user.created", user, after=snapshot(user, USER_FIELDS))
    return user, password


def update_user(
    actor,
    user: User,
    *,
    role: str,
    department: Department,
    name: str,
    email: str | None,
    active: bool,
    dingtalk_user_id: str | None = ...,
    mobile: str | None = ...,
) -> None:
    """Save an edited user; the DingTalk id and mobile stay as they are unless given."""
    _require_admin(actor)
    if dingtalk_user_id is not ... or mobile is not ...:
        cleaned = _contacts()(
            user.dingtalk_user_id if dingtalk_user_id is ... else dingtalk_user_id,
            user.mobile if mobile is ... else mobile,
        )
    else:
        cleaned = (user.dingtalk_user_id, user.mobile)
    if actor is not None and actor.id == user.id and (not active or role != Role.ADMIN):
        raise ValidationFailed({"active": _("You cannot deactivate or demote yourself.")})
    before = snapshot(user, USER_FIELDS)
    was_active = user.active
    user.role, user.department, user.name, user.email, user.active = (
        role,
        department,
        name,
        email or None,
        active,
    )
    user.dingtalk_user_id, user.mobile = cleaned
    if was_active and not active:
        end_all_sessions(user)
    db.session.flush()
    record_event(actor, "user.updated", user, before=before, after=snapshot(user, USER_FIELDS))


def reset_password(actor, user: User, password: str | None = None) -> str:
    """A new password; old sessions end and any lock-out is lifted.

    Without `password` a random one is generated which the user must change at next
    log-in; a chosen one (`flask users set-password`, typed by whoever runs the server)
    is kept.
    """
    _require_admin(actor)
    chosen = password is not None
    password = password if chosen else generate_password()
    user.password_hash = hash_password(password)
    user.must_change_password = not chosen
    user.failed_logins = 0
    user.locked_until = None
    end_all_sessions(user)
    record_event(actor, "user.password_reset", user)
    return password


def save_department(
    actor,
    department: Department | None,
    *,
    name: str,
    short_name: str,
    kind: str,
    aliases: list[str],
    active: bool = True,
    head_email: str | None = None,
    robot_webhook: str | None = ...,
    robot_secret: str | None = None,
) -> Department:
    """Create or rename a department and replace its aliases."""
    _require_admin(actor)
    name, short_name = name.strip(), short_name.strip()
    errors = {}
    if not name:
        errors["name"] = _("A name is required.")
    if not short_name:
        errors["short_name"] = _("A short name is required.")
    for field, value in (("name", name), ("short_name", short_name)):
        clash = find_department(value) if value else None
        if clash is not None and clash is not department:
            errors[field] = _("Another department is already called %(name)s.", name=value)
    alias_values = sorted({"".join(a.split()) for a in aliases if a.strip()} - {name, short_name})
    for alias in alias_values:
        clash = find_department(alias)
        if clash is not None and clash is not department:
            errors["aliases"] = _(
                "%(alias)s already names %(dept)s.", alias=alias, dept=clash.short_name
            )
    robot = None
    if robot_webhook is not ...:  # the group robot: https only; an empty secret keeps the saved one
        try:
            from tracker.notify.contacts import clean_robot  # notify imports admin.routes

            robot = clean_robot(
                robot_webhook, robot_secret or (department.robot_secret if department else None)
            )
        except ValidationFailed as error:
            errors.update(error.errors)
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(department, DEPARTMENT_FIELDS) if department else None
    if department is None:
        department = Department(name=name, short_name=short_name)
        db.session.add(department)
    department.name, department.short_name, department.kind = name, short_name, kind
    department.active, department.head_email = active, head_email or None
    department.is_office = kind == "office"
    if robot is not None:
        department.robot_webhook, department.robot_secret = robot
    existing = {a.alias: a for a in department.aliases}
    department.aliases = [existing.get(a) or DepartmentAlias(alias=a) for a in alias_values]
    db.session.flush()
    record_event(
        actor,
        "department.saved",
        department,
        before=before,
        after=snapshot(department, DEPARTMENT_FIELDS) | {"aliases": alias_values},
    )
    return department


def department_is_referenced(department: Department) -> bool:
    """Users, items (lead or co-owner) or indicators still point at it."""
    checks = (
        exists().where(User.department_id == department.id),
        exists().where(WorkItem.lead_department_id == department.id),
        exists().where(item_co_department.c.department_id == department.id),
        exists().where(Indicator.department_id == department.id),
    )
    return any(db.session.scalar(select(check)) for check in checks)


def delete_department(actor, department: Department) -> None:
    _require_admin(actor)
    if department_is_referenced(department):
        raise ValidationFailed(
            _(
                "%(name)s is still referenced by users, work items or indicators; "
                "deactivate it instead.",
                name=department.short_name,
            )
        )
    record_event(
        actor, "department.deleted", department, before=snapshot(department, DEPARTMENT_FIELDS)
    )
    db.session.delete(department)
    db.session.flush()
