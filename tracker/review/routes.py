"""The office's pages: overview, review queue (待审核), one submission, extension requests."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker import clock, fragments
from tracker.coordination.queries import open_coordination_count
from tracker.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
    apply_errors,
)
from tracker.extensions import db
from tracker.fragments import viewer_scope
from tracker.item_predicates import due_soon_days
from tracker.items.access import item_subject, load_item, load_report, report_subject
from tracker.items.deadlines import decide_extension
from tracker.items.queries import REVIEW_FILTERS, plans_without_focus_period
from tracker.models import Department, ExtensionRequest, Plan, Report, WorkItem
from tracker.numbers import int_param
from tracker.pagination import paginate
from tracker.periods import ensure_all_periods
from tracker.review import bp
from tracker.review.forms import BulkVerifyForm, DecideExtensionForm, ReturnForm, VerifyForm
from tracker.review.operations import bulk_verify, return_report, verify_report
from tracker.review.pages import office_home_data, review_page_data
from tracker.review.queue import review_queue_query
from tracker.security import log_security_event
from tracker.web import conflict_page, one_transaction, role_required
from tracker.workflow import SEE_ALL_ROLES, Action, Role, is_office, permitted


@bp.get("/office")
@login_required
def office_home():
    """The office's first screen: queue, overdue by department, unowned items, …"""
    if current_user.role == Role.LIAISON.value:
        return redirect(url_for("items.department_home"))
    day = clock.today()

    def content() -> str:
        return render_template(
            "review/_office_home_body.html",
            today=day,
            review_filters=REVIEW_FILTERS,
            coordination_open=open_coordination_count(),
            **office_home_data(current_user, day),
        )

    return render_template(
        "review/office_home.html",
        today=day,
        plans_missing_periods=plans_without_focus_period(day),
        body=fragments.cached("office_home", viewer_scope(current_user), content, due_soon_days()),
    )


@bp.get("/review")
@role_required(SEE_ALL_ROLES)
def queue():
    """待审核: every submitted report, oldest first, with bulk verify."""
    plan_id = request.args.get("plan", type=int)
    department_id = request.args.get("department", type=int)
    q = (request.args.get("q") or "").strip()[:100] or None
    page = paginate(
        review_queue_query(Report, current_user, plan_id=plan_id, department_id=department_id, q=q),
        per_page=50,
    )
    departments = db.session.execute(
        select(Department.id, Department.short_name)
        .where(
            Department.id.in_(
                select(WorkItem.lead_department_id)
                .join(Report, Report.item_id == WorkItem.id)
                .where(Report.state == "submitted")
            )
        )
        .order_by(Department.short_name)
    ).all()
    plans = db.session.execute(select(Plan.id, Plan.title).order_by(Plan.id.desc())).all()
    return render_template(
        "review/queue.html",
        page=page,
        form=BulkVerifyForm(),
        departments=departments,
        plans=plans,
        plan_id=plan_id,
        department_id=department_id,
        q=q or "",
    )


@bp.get("/reports/<int:report_id>")
@login_required
def report(report_id: int):
    """One report with its item, the previous verified report, what changed, the history."""
    report = load_report(
        current_user,
        report_id,
        joinedload(Report.period),
        joinedload(Report.author),
        joinedload(Report.reviewer),
    )
    return _review_page(report)


def _review_page(report, verify_form=None, return_form=None, status=200):
    data = review_page_data(report)
    return (
        render_template(
            "review/report.html",
            report=report,
            item=report.item,
            subject=report_subject(report),
            verify_form=verify_form or VerifyForm(version=report.version),
            return_form=return_form or ReturnForm(version=report.version),
            **data,
        ),
        status,
    )


@bp.post("/reports/<int:report_id>/verify")
@login_required
def verify(report_id: int):
    report = load_report(current_user, report_id, joinedload(Report.period))
    form = VerifyForm()
    if not form.validate_on_submit():
        return _review_page(report, verify_form=form, status=422)
    try:
        with one_transaction():
            verify_report(
                current_user,
                report,
                expected_version=form.loaded_version(),
                comment=form.comment.data or "",
                grade=form.grade.data or None,
                now=clock.now(),
            )
    except (StaleVersion, InvalidTransition) as error:
        return conflict_page(error, url_for("review.report", report_id=report_id), report.item.code)
    except ValidationFailed as error:
        apply_errors(form, error)
        report = load_report(current_user, report_id, joinedload(Report.period))
        return _review_page(report, verify_form=form, status=error.status)
    flash(
        _("The report for %(code)s was verified.", code=report.item.code),
        "success",
    )
    return redirect(_next_in_queue())


@bp.post("/reports/<int:report_id>/return")
@login_required
def return_(report_id: int):
    report = load_report(current_user, report_id, joinedload(Report.period))
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            with one_transaction():
                return_report(
                    current_user,
                    report,
                    expected_version=form.loaded_version(),
                    reason=form.reason.data or "",
                    now=clock.now(),
                )
        except (StaleVersion, InvalidTransition) as error:
            return conflict_page(
                error, url_for("review.report", report_id=report_id), report.item.code
            )
        except ValidationFailed as error:
            apply_errors(form, error)
            report = load_report(current_user, report_id, joinedload(Report.period))
            return _review_page(report, return_form=form, status=error.status)
        flash(_("The report for %(code)s was returned.", code=report.item.code), "success")
        return redirect(_next_in_queue())
    return _review_page(report, return_form=form, status=422)


def _next_in_queue() -> str:
    return url_for("review.queue") if is_office(current_user) else url_for("main.home")


@bp.post("/review/bulk-verify")
@role_required(SEE_ALL_ROLES)
def bulk():
    """Verify the ticked submissions; ones changed since the queue was loaded are skipped."""
    form = BulkVerifyForm()
    if not form.validate_on_submit():
        abort(400)
    entries = []
    for value in request.form.getlist("pick"):
        try:
            # a number no report could have is a 400 (tracker.numbers), not a 500
            report_id, version = (int_param(part) for part in value.split(":", 1))
        except ValueError:
            continue
        entries.append((report_id, version))
    if not entries:
        flash(_("Tick the reports to verify first."), "warning")
        return redirect(url_for("review.queue")), 303
    if not is_office(current_user):
        abort(403)
    try:
        with one_transaction():
            verified, skipped = bulk_verify(
                current_user, entries, grade=form.grade.data or None, now=clock.now()
            )
    except ValidationFailed as error:
        apply_errors(None, error)  # the grade was not one of the list: a flash
        return redirect(url_for("review.queue")), 303
    if verified:
        flash(_("%(n)s reports verified.", n=len(verified)), "success")
    for report_id, reason in skipped:
        flash(
            _("Report %(id)s was not verified: %(reason)s", id=report_id, reason=reason), "warning"
        )
    return redirect(url_for("review.queue"))


@bp.get("/review/extensions")
@role_required(SEE_ALL_ROLES)
def extensions():
    rows = db.session.scalars(
        select(ExtensionRequest)
        .options(
            joinedload(ExtensionRequest.item).joinedload(WorkItem.lead_department),
            joinedload(ExtensionRequest.requested_by),
            joinedload(ExtensionRequest.decided_by),
        )
        .order_by((ExtensionRequest.state != "pending"), ExtensionRequest.created_at.desc())
        .limit(200)
    ).all()
    return render_template(
        "review/extensions.html", requests=rows, form=DecideExtensionForm(), today=clock.today()
    )


@bp.post("/review/extensions/<int:request_id>/decide")
@login_required
def decide(request_id: int):
    extension = db.session.get(ExtensionRequest, request_id)
    if extension is None:
        raise NotFound()
    # Visibility and permission before anything the form says (its version included): a
    # stranger gets the 404 of a missing request, never a conflict page naming the item.
    item = load_item(current_user, extension.item_id)
    pending = extension.state == "pending"
    if not permitted(
        current_user, Action.DECIDE_EXTENSION, item_subject(item, pending_extension=pending)
    ):
        log_security_event("decide_extension", outcome="denied", obj=f"extension:{request_id}")
        raise PermissionDenied(_("You may not do this."))
    form = DecideExtensionForm()
    if not form.validate_on_submit() or form.decision.data not in ("approve", "refuse"):
        abort(400)
    try:
        with one_transaction():
            decide_extension(
                current_user,
                extension,
                expected_version=form.loaded_version(),
                approve=form.decision.data == "approve",
                comment=form.comment.data or "",
                now=clock.now(),
            )
    except (StaleVersion, InvalidTransition) as error:
        return conflict_page(error, url_for("review.extensions"), extension.item.code)
    except ValidationFailed as error:
        apply_errors(form, error)
        return render_template(
            "review/extensions.html",
            requests=[extension],
            form=form,
            today=clock.today(),
        ), error.status
    flash(_("The extension request for %(code)s was decided.", code=extension.item.code), "success")
    return redirect(url_for("review.extensions"))


@bp.post("/review/periods")
@role_required(SEE_ALL_ROLES)
def create_periods():
    """Create missing reporting periods up to today for every active plan."""
    if not is_office(current_user) or not BulkVerifyForm().validate_on_submit():
        abort(403)
    with one_transaction():
        created = ensure_all_periods(clock.today())
    flash(_("%(n)s reporting periods created.", n=created), "success")
    return redirect(url_for("review.office_home"))
