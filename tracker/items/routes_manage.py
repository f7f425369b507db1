"""The office's item pages: add, edit, assign, split, merge, retire, reopen, generate."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from tracker import clock
from tracker.access import require, require_role
from tracker.errors import (
    InvalidTransition,
    StaleVersion,
    ValidationFailed,
    apply_errors,
    flash_form_errors,
)
from tracker.extensions import db
from tracker.item_predicates import open_clause
from tracker.items import bp
from tracker.items.access import item_subject, load_item
from tracker.items.forms import (
    AssignForm,
    ConfirmForm,
    ItemForm,
    MergeForm,
    NewItemForm,
    ReasonForm,
    SplitForm,
    parse_version,
)
from tracker.items.generate import generate_items_from_plan
from tracker.items.operations import (
    assign_item,
    create_item,
    reopen_item,
    retire_item,
    update_item,
)
from tracker.items.restructure import merge_items, split_item
from tracker.models import Indicator, Plan, PlanNode, WorkItem
from tracker.periods import ensure_periods
from tracker.web import conflict_page, department_choices, form_page, one_transaction
from tracker.workflow import Action


def _done(message: str, item_id: int):
    """Flash what was done and show the item."""
    flash(message, "success")
    return redirect(url_for("items.detail", item_id=item_id))


def _require_office_page(action: Action = Action.EDIT_ITEM):
    require_role(current_user, action)


def _plan_choices(form: ItemForm, plan_id: int) -> None:
    indicators = db.session.execute(
        select(Indicator.id, Indicator.number, Indicator.name)
        .where(Indicator.plan_id == plan_id)
        .order_by(Indicator.number)
    ).all()
    form.indicator_id.choices = [(0, "—")] + [(i.id, f"{i.number}. {i.name}") for i in indicators]
    sections = db.session.execute(
        select(PlanNode.id, PlanNode.code, PlanNode.title)
        .where(PlanNode.plan_id == plan_id, PlanNode.kind.in_(("chapter", "section")))
        .order_by(PlanNode.position)
    ).all()
    form.section_node_id.choices = [(0, "—")] + [
        (s.id, f"{s.code} {s.title[:30]}") for s in sections
    ]


def _detail_fields(form: ItemForm) -> dict:
    return {
        "title": form.title.data or "",
        "code": form.code.data or "",
        "description": form.description.data or "",
        "deliverable": form.deliverable.data or "",
        "due_date": getattr(form.due_date, "parsed", None),
        "start_date": getattr(form.start_date, "parsed", None),
        "priority": form.priority.data,
        "indicator_id": form.indicator_id.data or None,
        "section_node_id": form.section_node_id.data or None,
    }


@bp.route("/items/new", methods=["GET", "POST"])
@login_required
def new():
    _require_office_page()
    form = NewItemForm()
    plans = db.session.execute(select(Plan.id, Plan.title).order_by(Plan.id.desc())).all()
    form.plan_id.choices = [(p.id, p.title) for p in plans]
    plan_id = (
        form.plan_id.data or request.args.get("plan", type=int) or (plans[0].id if plans else 0)
    )
    _plan_choices(form, plan_id)
    form.lead_department_id.choices = department_choices("—")
    form.co_department_ids.choices = department_choices()

    def operation():
        plan = db.get_or_404(Plan, form.plan_id.data)
        return create_item(
            current_user,
            plan,
            lead_department_id=form.lead_department_id.data or None,
            co_department_ids=form.co_department_ids.data,
            **_detail_fields(form),
            now=clock.now(),
        )

    return form_page(
        form,
        operation,
        done=lambda item: _done(_("Work item %(code)s added.", code=item.code), item.id),
        template="items/form.html",
        context={"item": None},
        conflicts=(),
    )


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit(item_id: int):
    item = load_item(current_user, item_id)
    require(current_user, Action.EDIT_ITEM, item_subject(item))
    form = ItemForm(obj=item if request.method == "GET" else None)
    _plan_choices(form, item.plan_id)
    assign_form = AssignForm(
        version=item.version,
        lead_department_id=item.lead_department_id or 0,
        co_department_ids=[d.id for d in item.co_departments],
        formdata=None,
    )
    assign_form.lead_department_id.choices = department_choices("—")
    assign_form.co_department_ids.choices = department_choices()
    if request.method == "GET":
        form.version.data = item.version
        form.due_date.data = item.due_date.isoformat() if item.due_date else ""
        form.start_date.data = item.start_date.isoformat() if item.start_date else ""
        form.indicator_id.data = item.indicator_id or 0
        form.section_node_id.data = item.section_node_id or 0
    return form_page(
        form,
        lambda: update_item(
            current_user,
            item,
            expected_version=form.loaded_version(),
            **_detail_fields(form),
            now=clock.now(),
        ),
        done=lambda _result: _done(_("Work item %(code)s saved.", code=item.code), item.id),
        template="items/edit.html",
        context={"assign_form": assign_form, "item": item},
        back_url=url_for("items.detail", item_id=item_id),
        label=item.code,
    )


@bp.post("/items/<int:item_id>/assign")
@login_required
def assign(item_id: int):
    item = load_item(current_user, item_id)
    require(current_user, Action.ASSIGN_ITEM, item_subject(item))
    form = AssignForm()
    form.lead_department_id.choices = department_choices("—")
    form.co_department_ids.choices = department_choices()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("items.edit", item_id=item_id)), 303
    try:
        with one_transaction():
            assign_item(
                current_user,
                item,
                expected_version=form.loaded_version(),
                lead_department_id=form.lead_department_id.data or None,
                co_department_ids=form.co_department_ids.data,
                now=clock.now(),
            )
    except (StaleVersion, InvalidTransition) as error:
        return conflict_page(error, url_for("items.detail", item_id=item_id), item.code)
    except ValidationFailed as error:
        apply_errors(None, error)
        return redirect(url_for("items.edit", item_id=item_id)), 303
    flash(_("Owners of %(code)s saved.", code=item.code), "success")
    return redirect(url_for("items.detail", item_id=item_id))


def _reason_action(item_id: int, action: Action, operation, done_message: str):
    item = load_item(current_user, item_id)
    require(current_user, action, item_subject(item))
    form = ReasonForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("items.detail", item_id=item_id)), 303
    try:
        with one_transaction():
            operation(
                current_user,
                item,
                expected_version=form.loaded_version(),
                reason=form.reason.data or "",
                now=clock.now(),
            )
    except (StaleVersion, InvalidTransition) as error:
        return conflict_page(error, url_for("items.detail", item_id=item_id), item.code)
    except ValidationFailed as error:
        apply_errors(form, error)
        return render_template("items/reason_error.html", item=item, form=form), error.status
    flash(done_message % {"code": item.code}, "success")
    return redirect(url_for("items.detail", item_id=item_id))


@bp.post("/items/<int:item_id>/retire")
@login_required
def retire(item_id: int):
    return _reason_action(item_id, Action.RETIRE_ITEM, retire_item, _("%(code)s was retired."))


@bp.post("/items/<int:item_id>/reopen")
@login_required
def reopen(item_id: int):
    return _reason_action(item_id, Action.REOPEN_ITEM, reopen_item, _("%(code)s was reopened."))


@bp.route("/items/<int:item_id>/split", methods=["GET", "POST"])
@login_required
def split(item_id: int):
    item = load_item(current_user, item_id)
    require(current_user, Action.EDIT_ITEM, item_subject(item))
    form = SplitForm()
    if request.method == "GET":
        form.version.data = item.version

    def operation():
        parts = [{"title": line.strip()} for line in (form.parts.data or "").splitlines()]
        return split_item(
            current_user,
            item,
            expected_version=form.loaded_version(),
            parts=parts,
            retire_original=not form.keep_original.data,
            now=clock.now(),
        )

    def done(created):
        codes = ", ".join(c.code for c in created)
        message = _("%(code)s was split into %(codes)s.", code=item.code, codes=codes)
        return _done(message, created[0].id)

    return form_page(
        form,
        operation,
        done=done,
        template="items/split.html",
        context={"item": item},
        back_url=url_for("items.detail", item_id=item_id),
        label=item.code,
    )


@bp.route("/items/<int:item_id>/merge", methods=["GET", "POST"])
@login_required
def merge(item_id: int):
    item = load_item(current_user, item_id)
    require(current_user, Action.EDIT_ITEM, item_subject(item))
    candidates = db.session.execute(
        select(WorkItem.id, WorkItem.code, WorkItem.title, WorkItem.version)
        .where(
            WorkItem.plan_id == item.plan_id,
            WorkItem.id != item.id,
            open_clause(),
        )
        .order_by(WorkItem.id)
    ).all()
    form = MergeForm()
    form.others.choices = [(c.id, f"{c.code} {c.title[:40]}") for c in candidates]
    if request.method == "GET":
        form.version.data = item.version

    def operation():
        others = db.session.scalars(
            select(WorkItem).where(WorkItem.id.in_(form.others.data or [0]))
        ).all()
        seen = {c.id: c.version for c in candidates}
        versions = {o.id: _seen_version(o.id, seen) for o in others}
        versions[item.id] = form.loaded_version()
        merge_items(current_user, item, list(others), expected_versions=versions, now=clock.now())

    return form_page(
        form,
        operation,
        done=lambda _result: _done(_("Merged into %(code)s.", code=item.code), item.id),
        template="items/merge.html",
        context={"item": item},
        back_url=url_for("items.detail", item_id=item_id),
        label=item.code,
    )


def _seen_version(item_id: int, seen: dict) -> int | None:
    """The version shown in the form (sent back as v<id>), else the one listed now; one
    that is not a number is a stale form (409), like the item's own version."""
    value = request.form.get(f"v{item_id}")
    return parse_version(value) if value else seen.get(item_id)


@bp.route("/items/generate", methods=["GET", "POST"])
@login_required
def generate():
    """Create the default work items of a plan (one per leaf task/item and per 专栏)."""
    _require_office_page()
    plans = db.session.execute(
        select(Plan.id, Plan.title, Plan.start_year, Plan.end_year, func.count(WorkItem.id))
        .outerjoin(WorkItem, WorkItem.plan_id == Plan.id)
        .group_by(Plan.id, Plan.title, Plan.start_year, Plan.end_year)
        .order_by(Plan.id.desc())
    ).all()
    form = ConfirmForm()
    if form.validate_on_submit():
        plan = db.get_or_404(Plan, request.form.get("plan_id", type=int))
        with one_transaction():
            created = generate_items_from_plan(current_user, plan, now=clock.now())
            ensure_periods(plan, clock.today())
        flash(
            _("%(n)s work items created for %(plan)s.", n=len(created), plan=plan.title),
            "success",
        )
        return redirect(url_for("items.index", plan=plan.id))
    return render_template("items/generate.html", plans=plans, form=form)
