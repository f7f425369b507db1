"""Indicator pages: the status grid, one indicator, the office's edits, and the evaluation."""

from __future__ import annotations

import logging

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import clock
from tracker.documents import DOCX_MIMETYPE, XLSX_MIMETYPE
from tracker.documents.download import send_download
from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.indicators import bp
from tracker.indicators.chart import chart_data
from tracker.indicators.evaluation import (
    FINAL,
    MID,
    build_evaluation,
    default_year,
    evaluation_kind,
)
from tracker.indicators.exports import evaluation_docx, evaluation_xlsx
from tracker.indicators.forms import AssignForm, IndicatorForm
from tracker.indicators.labels import (
    ATTRIBUTE_LABELS,
    EVALUATION_TYPES,
    KIND_LABELS,
    STATUS_LABELS,
    STATUS_ORDER,
    TRAIL_LABELS,
    baseline_display,
    target_display,
)
from tracker.indicators.operations import assign_indicator, update_indicator
from tracker.indicators.queries import (
    active_departments,
    grid_rows,
    indicator_with_plan,
    linked_items,
    plan_categories,
    plan_indicators_query,
    value_attachments,
    value_rows,
    value_trails,
    verified_values_by_indicator,
)
from tracker.indicators.specs import plan_years, spec_for, status_for, value_subject
from tracker.indicators.status import expected_value
from tracker.models import Department, Indicator, IndicatorValue
from tracker.pagination import paginate
from tracker.plan_lists import plan_list, requested_plan
from tracker.review.queue import count_waiting
from tracker.web import department_choices, form_page, one_transaction, role_required
from tracker.workflow import OFFICE_ROLES, SEE_ALL_ROLES, Action, can, is_office

logger = logging.getLogger(__name__)


# --- helpers shared with value_routes ---------------------------------------------------------


def load_indicator(indicator_id: int) -> Indicator:
    indicator = indicator_with_plan(indicator_id)
    if indicator is None:
        abort(404)
    return indicator


# --- the status grid ----------------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    """Indicators × years with coloured statuses and 预警; filters by plan, department, category."""
    plans = plan_list(with_indicators=True)
    plan = requested_plan(plans)
    department_id = request.args.get("department", type=int)
    category = request.args.get("category", "").strip() or None
    context = {
        "plans": plans,
        "plan": plan,
        "department_id": department_id,
        "category": category,
        "departments": active_departments(),
        "status_labels": STATUS_LABELS,
        "status_order": STATUS_ORDER,
        "attribute_labels": ATTRIBUTE_LABELS,
        "review_count": count_waiting(IndicatorValue, current_user)
        if is_office(current_user)
        else None,
        "today": clock.today(),
    }
    if plan is None:
        return render_template("indicators/index.html", page=None, rows=[], **context)
    page = paginate(
        plan_indicators_query(plan.id, department_id=department_id, category=category),
        per_page=50,
    )
    rows = grid_rows(plan, page.items, context["today"])
    counts: dict[str, int] = {}
    for row in rows:
        key = row.latest.status.value if row.latest else "no_data"
        counts[key] = counts.get(key, 0) + 1
    return render_template(
        "indicators/index.html",
        page=page,
        rows=rows,
        years=plan_years(plan),
        categories=plan_categories(plan.id),
        counts=counts,
        warnings=sum(1 for row in rows if row.latest and row.latest.warning),
        **context,
    )


# --- one indicator ------------------------------------------------------------------------


@bp.get("/<int:indicator_id>")
@login_required
def detail(indicator_id: int):
    """Fields, yearly history, the chart, the values with their reviews, linked work items."""
    indicator = load_indicator(indicator_id)
    plan = indicator.plan
    today = clock.today()
    # Drafts and returns are the department's business; everyone else sees verified values.
    sees_all_values = can(current_user, Action.VIEW, value_subject(indicator))
    values = value_rows(indicator.id, verified_only=not sees_all_values)
    verified = verified_values_by_indicator([indicator.id])[indicator.id]
    spec = spec_for(indicator, plan)
    history = []
    running = 0.0
    for year in plan_years(plan):
        status, warning = status_for(spec, year, verified)
        value = verified.get(year)
        if isinstance(value, int | float):
            running += value
        history.append(
            {
                "year": year,
                "value": value,
                "running_total": running if indicator.kind == "cumulative" else None,
                "expected": expected_value(spec, year),
                "status": status,
                "warning": warning,
            }
        )
    reported_years = {row.year for row in values}
    if not sees_all_values:
        reported_years = set()
    may_report = can(current_user, Action.CREATE_REPORT, value_subject(indicator))
    open_years = [y for y in plan_years(plan) if y <= today.year and y not in reported_years]
    items = linked_items(indicator.id, current_user)
    return render_template(
        "indicators/detail.html",
        indicator=indicator,
        plan=plan,
        history=history,
        values=values,
        trails=value_trails(row.id for row in values),
        trail_labels=TRAIL_LABELS,
        # Evidence is the department's and the reviewers' business, like drafts.
        attachments=value_attachments(row.id for row in values if sees_all_values),
        chart=chart_data(indicator, verified),
        items=[(item, url_for("items.detail", item_id=item.id)) for item in items],
        may_report=may_report and bool(open_years) and not plan.is_archived,
        kind_labels=KIND_LABELS,
        attribute_labels=ATTRIBUTE_LABELS,
        baseline_text=baseline_display(indicator),
        target_text=target_display(indicator),
        value_subject=value_subject,
        assign_form=_assign_form(indicator) if is_office(current_user) else None,
    )


def _assign_form(indicator: Indicator, formdata=None) -> AssignForm:
    form = AssignForm(formdata=formdata, obj=None)
    form.department_id.choices = department_choices(_("— nobody yet —"), include_office=True)
    if formdata is None:
        form.department_id.data = indicator.department_id or 0
        form.version.data = indicator.version
    return form


@bp.route("/<int:indicator_id>/edit", methods=["GET", "POST"])
@role_required(OFFICE_ROLES, event="indicators.office")
def edit(indicator_id: int):
    """Correct what the parser read; a save from an older version answers 409."""
    indicator = load_indicator(indicator_id)
    form = IndicatorForm(obj=None if request.method == "POST" else indicator)
    if request.method == "GET":
        form.baseline.data = indicator.baseline_text or ""
        form.target.data = indicator.target_text or ""
        form.version.data = indicator.version

    def save():
        update_indicator(
            current_user,
            indicator,
            expected_version=form.version.data or indicator.version,
            number=form.number.data,
            category=form.category.data,
            name=form.name.data,
            unit=form.unit.data,
            baseline=form.baseline.data,
            target=form.target.data,
            attribute=form.attribute.data,
            kind=form.kind.data,
        )

    def done(_result):
        flash(_("Indicator %(number)s saved.", number=indicator.number), "success")
        return redirect(url_for("indicators.detail", indicator_id=indicator.id))

    return form_page(
        form,
        save,
        done=done,
        template="indicators/edit.html",
        context={"indicator": indicator},
        conflicts=(),
    )


@bp.post("/<int:indicator_id>/assign")
@role_required(OFFICE_ROLES, event="indicators.office")
def assign(indicator_id: int):
    indicator = load_indicator(indicator_id)
    form = _assign_form(indicator, formdata=request.form)
    if not form.validate_on_submit():
        flash(_("Choose a department from the list."), "danger")
        return redirect(url_for("indicators.detail", indicator_id=indicator.id))
    department = db.session.get(Department, form.department_id.data) or None
    try:
        with one_transaction():
            assign_indicator(
                current_user,
                indicator,
                department,
                expected_version=form.version.data or indicator.version,
            )
    except ValidationFailed as error:
        for message in error.errors.values():
            flash(message, "danger")
    else:
        flash(_("Responsible department saved."), "success")
    return redirect(url_for("indicators.detail", indicator_id=indicator.id))


# --- the evaluation report ------------------------------------------------------------------


def _evaluation_args():
    """(plan, year, kind) from the query string; the office may pick 中期 or 终期 freely."""
    plans = plan_list(with_indicators=True)
    plan = requested_plan(plans)
    if plan is None:
        abort(404)
    year = request.args.get("year", type=int) or default_year(plan, clock.today())
    if not plan.start_year <= year <= plan.end_year:
        abort(404)
    kind = request.args.get("type")
    if kind not in (MID, FINAL):
        kind = evaluation_kind(plan, year)
    return plans, plan, year, kind


@bp.get("/evaluation")
@role_required(SEE_ALL_ROLES, event="indicators.evaluation")
def evaluation():
    plans, plan, year, kind = _evaluation_args()
    report = build_evaluation(plan, year, today=clock.today(), kind=kind)
    return render_template(
        "indicators/evaluation.html",
        report=report,
        plans=plans,
        plan=plan,
        years=plan_years(plan),
        evaluation_types=EVALUATION_TYPES,
    )


def _download(builder, extension: str, mimetype: str):
    _plans, plan, year, kind = _evaluation_args()
    # A government report is written in Chinese, whatever language the reader browses in.
    with force_locale("zh_Hans_CN"):
        report = build_evaluation(plan, year, today=clock.today(), kind=kind)
        data = builder(report)
        filename = f"{report.title}.{extension}"
    # An ASCII name for old clients, the Chinese title (RFC 6266 filename*) for the rest.
    fallback = f"evaluation-{plan.id}-{year}-{kind}.{extension}"
    return send_download(data, filename=filename, mimetype=mimetype, ascii_name=fallback)


@bp.get("/evaluation.docx")
@role_required(SEE_ALL_ROLES, event="indicators.evaluation")
def evaluation_word():
    return _download(evaluation_docx, "docx", DOCX_MIMETYPE)


@bp.get("/evaluation.xlsx")
@role_required(SEE_ALL_ROLES, event="indicators.evaluation")
def evaluation_excel():
    return _download(evaluation_xlsx, "xlsx", XLSX_MIMETYPE)
