"""Reading pages: the liaison's home (本部门), the item list, the item page, evidence."""

from __future__ import annotations

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from tracker import clock, fragments
from tracker.evidence import owned_attachment, send_evidence
from tracker.fragments import viewer_scope
from tracker.item_predicates import (
    due_soon_days,
    due_windows,
    is_due_soon,
)
from tracker.items import bp
from tracker.items.access import has_pending_extension, item_subject, load_item
from tracker.items.filter_choices import CHOICE_KINDS, chosen_labels, search_choices
from tracker.items.forms import (
    ConfirmForm,
    ContributionForm,
    ExtensionForm,
    ReasonForm,
)
from tracker.items.headings import plan_node_label
from tracker.items.milestone_revisions import open_plan, plan_history, plan_in_force
from tracker.items.pages import department_home_data, item_page_data
from tracker.items.queries import (
    ITEM_STATUSES,
    REVIEW_FILTERS,
    ItemFilters,
)
from tracker.items.table import item_ids_page, table_rows
from tracker.models import WorkItem
from tracker.numbers import int_param
from tracker.schedule import LIGHTS
from tracker.schedule_query import schedule_for_item
from tracker.workflow import ReviewState, Role, can_see_all


@bp.get("/my")
@login_required
def department_home():
    """本部门: the liaison's first screen. Other roles have the office's overview."""
    if current_user.role != Role.LIAISON.value:
        return redirect(url_for("review.office_home"))
    day = clock.today()

    def content() -> str:
        data = department_home_data(current_user, day)
        return render_template("items/_department_home_body.html", today=day, **data)

    body = fragments.cached("department_home", viewer_scope(current_user), content, due_soon_days())
    return render_template("items/department_home.html", body=body)


@bp.get("/items")
@login_required
def index():
    """Every visible item, filtered, searched and paginated."""
    filters = ItemFilters.from_args(request.args)
    day = clock.today()
    page = item_ids_page(current_user, filters, day)
    page.items, schedules = table_rows(day, page.items)
    chosen = chosen_labels(current_user, filters.plan_id, filters.section_id, filters.department_id)
    return render_template(
        "items/list.html",
        page=page,
        filters=filters,
        chosen=chosen,
        statuses=ITEM_STATUSES,
        review_filters=REVIEW_FILTERS,
        due_windows=due_windows(),
        lights=LIGHTS,
        schedules=schedules,
        node_label=plan_node_label(filters.node_id),
        today=day,
        is_due_soon=is_due_soon,
        can_see_all=can_see_all(current_user),
    )


@bp.get("/items/choices/<kind>")
@login_required
def filter_choices(kind: str):
    """The item list's plan, section and department choices matching ?q= (JSON, at most
    20): the page ships only the chosen one (static/choices.js asks here as one types)."""
    if kind not in CHOICE_KINDS:
        abort(404)
    q = request.args.get("q", "")[:100]
    plan_id = request.args.get("plan", None, type=int_param)
    return jsonify(search_choices(current_user, kind, q, plan_id))


@bp.get("/items/<int:item_id>")
@login_required
def detail(item_id: int):
    """Source text, owners, deadlines, reports with reviews, contributions, evidence, trail."""
    item = load_item(
        current_user,
        item_id,
        joinedload(WorkItem.lead_department),
        joinedload(WorkItem.plan),
        joinedload(WorkItem.source_node),
        joinedload(WorkItem.section_node),
        joinedload(WorkItem.indicator),
    )
    day = clock.today()
    data = item_page_data(item, day)
    pending = has_pending_extension(item.id)
    # The plan in force is shown with its claims; a revision under way beside it.
    in_force, pending = plan_in_force(item.id), open_plan(item.id)
    milestone_plan = in_force or pending
    working = pending or in_force  # what the submit / approve / return buttons act on
    plan_state = working.state if working else ReviewState.DRAFT.value
    steps = milestone_plan.milestones if milestone_plan else []
    return render_template(
        "items/detail.html",
        item=item,
        subject=item_subject(item, pending_extension=pending),
        today=day,
        is_due_soon=is_due_soon(item, day),
        contribution_form=ContributionForm(),
        extension_form=ExtensionForm(),
        reason_form=ReasonForm(version=item.version),
        confirm=ConfirmForm(),
        schedule=schedule_for_item(item, day),
        milestone_plan=milestone_plan,
        milestone_revision=pending if in_force is not None else None,
        working_plan=working,
        plan_history=[plan for plan in plan_history(item.id) if plan.superseded_at],
        plan_subject=item_subject(item, plan_state),
        revise_subject=item_subject(item, ReviewState.DRAFT.value),
        milestone_subjects={m.id: item_subject(item, m.state) for m in steps},
        **data,
    )


@bp.get("/items/<int:item_id>/evidence/<int:attachment_id>")
@login_required
def evidence(item_id: int, attachment_id: int):
    """Download one evidence file: same permission as the item, always as an attachment."""
    item = load_item(current_user, item_id)
    attachment = owned_attachment(attachment_id, item_id=item.id)
    return send_evidence(attachment)
