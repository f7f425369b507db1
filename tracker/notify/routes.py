"""The admin 发件箱: every message with its state, failed ones with their error and a resend."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from tracker import clock
from tracker.backup.jobs import backup_status
from tracker.errors import InvalidTransition
from tracker.extensions import db
from tracker.models import Department, OutboxMessage, SchedulerRun
from tracker.notify import bp
from tracker.notify.channel_admin import CHANNEL_LABELS, channel_status
from tracker.notify.forms import ResendForm
from tracker.notify.operations import resend_all_failed, resend_message
from tracker.notify.transports import get_transport
from tracker.pagination import paginate
from tracker.web import one_transaction, role_required
from tracker.workdays import COVERAGE_CURRENT_YEAR_UNKNOWN, calendar_coverage
from tracker.workflow import Role

KIND_LABELS = {
    "remind": _l("Reminder"),
    "overdue": _l("Overdue notice"),
    "escalate": _l("Escalation"),
    "digest": _l("Weekly digest"),
    "test": _l("Test message"),
}
STATES = ("pending", "sent", "failed")

# Shown alone in its own tab: nothing in a stored mail body may run or load anything.
_MAIL_PREVIEW_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _coverage_warning(today) -> dict | None:
    """Which of this year and next year have no official arrangement, for the alert (with
    the first such year, which the alert's link opens on the holiday page)."""
    coverage = calendar_coverage(today)
    if not coverage.missing_years:
        return None
    years = ", ".join(str(year) for year in coverage.missing_years)
    if coverage.message_key == COVERAGE_CURRENT_YEAR_UNKNOWN:
        text = _(
            "No official holiday arrangement for %(years)s: working days in %(year)s are "
            "counted Monday to Friday without holidays until an admin enters the year.",
            years=years,
            year=today.year,
        )
    else:
        text = _(
            "No official holiday arrangement for %(years)s: reminders and deadlines in "
            "%(years)s count Monday to Friday without holidays until an admin enters the year.",
            years=years,
        )
    return {"text": text, "year": coverage.missing_years[0]}


def _last_runs() -> list[SchedulerRun]:
    latest = (
        select(SchedulerRun.job_id, func.max(SchedulerRun.id).label("id"))
        .group_by(SchedulerRun.job_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(SchedulerRun)
            .join(latest, latest.c.id == SchedulerRun.id)
            .order_by(SchedulerRun.job_id)
        )
    )


@bp.get("/admin/outbox")
@role_required([Role.ADMIN], event="admin")
def outbox():
    state = request.args.get("state")
    kind = request.args.get("kind")
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if state in STATES:
        query = query.where(OutboxMessage.state == state)
    if kind in KIND_LABELS:
        query = query.where(OutboxMessage.kind == kind)
    channel = request.args.get("channel")
    if channel in CHANNEL_LABELS:
        query = query.where(OutboxMessage.channel == channel)
    page = paginate(query, per_page=50)
    counts = dict(
        db.session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        ).all()
    )
    department_ids = {m.department_id for m in page.items if m.department_id}
    departments = (
        dict(
            db.session.execute(
                select(Department.id, Department.short_name).where(
                    Department.id.in_(department_ids)
                )
            ).all()
        )
        if department_ids
        else {}
    )
    return render_template(
        "notify/outbox.html",
        page=page,
        state=state,
        kind=kind,
        counts=counts,
        departments=departments,
        kind_labels=KIND_LABELS,
        runs=_last_runs(),
        coverage_warning=_coverage_warning(clock.today()),
        transport=get_transport(current_app).describe(),
        scheduler_enabled=bool(current_app.config.get("SCHEDULER_ENABLED")),
        backup=backup_status(current_app),
        form=ResendForm(),
        channel=channel,
        channels=channel_status(),
        channel_labels=CHANNEL_LABELS,
    )


@bp.get("/admin/outbox/<int:message_id>")
@role_required([Role.ADMIN], event="admin")
def message(message_id: int):
    row = db.get_or_404(OutboxMessage, message_id)
    department = db.session.get(Department, row.department_id) if row.department_id else None
    return render_template(
        "notify/message.html",
        message=row,
        department=department,
        kind_labels=KIND_LABELS,
        form=ResendForm(),
        channel_labels=CHANNEL_LABELS,
    )


@bp.get("/admin/outbox/<int:message_id>/html")
@role_required([Role.ADMIN], event="admin")
def message_html(message_id: int):
    """The HTML body as the recipient's mail client would show it, sandboxed."""
    row = db.get_or_404(OutboxMessage, message_id)
    response = make_response(row.body_html)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Security-Policy"] = _MAIL_PREVIEW_POLICY
    return response


@bp.post("/admin/outbox/<int:message_id>/resend")
@role_required([Role.ADMIN], event="admin")
def resend(message_id: int):
    row = db.get_or_404(OutboxMessage, message_id)
    if not ResendForm().validate_on_submit():
        abort(400)
    try:
        with one_transaction():
            resend_message(current_user, row, clock.now())
    except InvalidTransition:
        flash(_("Only failed messages can be sent again."), "warning")
    else:
        flash(_("The message is queued again and goes out with the next dispatch."), "success")
    return redirect(url_for("notify.message", message_id=message_id))


@bp.post("/admin/outbox/resend-failed")
@role_required([Role.ADMIN], event="admin")
def resend_failed():
    if not ResendForm().validate_on_submit():
        abort(400)
    with one_transaction():
        count = resend_all_failed(current_user, clock.now())
    flash(_("%(count)s failed messages are queued again.", count=count), "success")
    return redirect(url_for("notify.outbox", state="pending"))
