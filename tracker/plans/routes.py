"""Plan pages: the list, one plan's tree and indicators, upload → preview → apply, archive."""

from __future__ import annotations

import logging

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import clock
from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.items.responsibility import department_index, unknown_names
from tracker.models import Plan, PlanImport
from tracker.pagination import paginate
from tracker.plan_lists import plans_in_order
from tracker.plans import bp
from tracker.plans.corrections import apply_corrections
from tracker.plans.diff import indicator_fields
from tracker.plans.forms import ApplyForm, ConfirmForm, CorrectionForm, UploadForm
from tracker.plans.messages import file_error_message, file_error_status
from tracker.plans.operations import (
    apply_import,
    archive_plan,
    discard_import,
    find_identical_plan,
    find_plan_by_title,
    infer_period,
    parse_period,
    source_digest,
    stage_import,
    unarchive_plan,
)
from tracker.plans.parser import parse_plan
from tracker.plans.queries import pending_imports, plan_counts, work_item_counts
from tracker.plans.reading import PlanFileError, file_suffix, read_plan_file
from tracker.plans.revision import compare_with_plan, format_period, stored_indicators, stored_nodes
from tracker.plans.tree import flatten, parsed_from_dict, tree_from_flat, tree_from_rows
from tracker.web import one_transaction, role_required
from tracker.workflow import OFFICE_ROLES

logger = logging.getLogger(__name__)

# The work-item pages a node links to: the list takes ?plan=<plan id>&node=<source node id>
# (that heading and everything under it); the detail page takes item_id.
ITEMS_LIST_ENDPOINT = "items.index"
ITEM_DETAIL_ENDPOINT = "items.detail"


# ------------------------------------------------------------------------- reading


@bp.get("/")
@login_required
def index():
    page = paginate(plans_in_order(), per_page=50)
    counts = plan_counts([plan.id for plan in page.items])
    return render_template(
        "plans/index.html",
        page=page,
        active=[plan for plan in page.items if not plan.is_archived],
        archived=[plan for plan in page.items if plan.is_archived],
        counts=counts,
    )


@bp.get("/<int:plan_id>")
@login_required
def detail(plan_id: int):
    """The whole plan on one page: a fixed handful of queries whatever its size."""
    plan = db.get_or_404(Plan, plan_id)
    tree = tree_from_rows(stored_nodes(plan.id), work_item_counts(plan.id, current_user))

    def items_url(entry) -> str | None:
        """One work item: its page; several: the list filtered to this node."""
        if entry.item_count == 1:
            return url_for(ITEM_DETAIL_ENDPOINT, item_id=entry.first_item_id)
        if entry.item_count:
            return url_for(ITEMS_LIST_ENDPOINT, plan=plan.id, node=entry.node_id)
        return None

    def indicator_url(row) -> str:
        return url_for("indicators.detail", indicator_id=row.id)

    return render_template(
        "plans/detail.html",
        plan=plan,
        tree=tree,
        indicators=stored_indicators(plan.id),
        items_url=items_url,
        indicator_url=indicator_url,
        confirm=ConfirmForm(),
    )


@bp.post("/<int:plan_id>/archive")
@role_required(OFFICE_ROLES, event="plans")
def archive(plan_id: int):
    plan = db.get_or_404(Plan, plan_id)
    with one_transaction():
        archive_plan(current_user, plan)
    flash(
        _(
            "“%(title)s” is archived: it stays readable and can no longer be revised.",
            title=plan.title,
        ),
        "success",
    )
    return redirect(url_for("plans.detail", plan_id=plan.id))


@bp.post("/<int:plan_id>/unarchive")
@role_required(OFFICE_ROLES, event="plans")
def unarchive(plan_id: int):
    plan = db.get_or_404(Plan, plan_id)
    with one_transaction():
        unarchive_plan(current_user, plan)
    flash(_("“%(title)s” is active again.", title=plan.title), "success")
    return redirect(url_for("plans.detail", plan_id=plan.id))


# ------------------------------------------------------------------ importing


def _target_choices() -> list[tuple[str, str]]:
    plans = db.session.execute(
        plans_in_order().with_only_columns(Plan.id, Plan.title, Plan.start_year, Plan.end_year)
    ).all()
    return [
        ("auto", _("Automatic: revise the plan with the same title, else a new plan")),
        ("new", _("A new plan")),
        *[
            (
                str(row.id),
                _(
                    "Revise: %(title)s (%(period)s)",
                    title=row.title,
                    period=format_period(row.start_year, row.end_year),
                ),
            )
            for row in plans
        ],
    ]


def _render_upload(form: UploadForm, status: int = 200, error: str | None = None):
    return render_template(
        "plans/upload.html", form=form, error=error, pending=pending_imports()
    ), status


def _refuse(form: UploadForm, code: str, suffix: str = ""):
    """A bad file: say which problem it is, write nothing."""
    message = file_error_message(
        code, limit_bytes=current_app.config["PLAN_MAX_BYTES"], suffix=suffix
    )
    logger.info("plan upload refused: %s (%s)", code, suffix)
    return _render_upload(form, file_error_status(code), message)


@bp.route("/import", methods=["GET", "POST"])
@role_required(OFFICE_ROLES, event="plans")
def upload():
    form = UploadForm()
    form.target.choices = _target_choices()
    if request.method == "GET":
        return _render_upload(form)
    if not form.validate_on_submit():
        return _render_upload(form, 422)
    upload_file = form.file.data
    if upload_file is None or not getattr(upload_file, "filename", ""):
        return _refuse(form, "no_file")
    suffix = file_suffix(upload_file.filename)
    max_bytes = current_app.config["PLAN_MAX_BYTES"]
    try:
        # Never read more than the limit (plus one byte to notice it is exceeded).
        text = read_plan_file(upload_file.filename, upload_file.read(max_bytes + 1), max_bytes)
    except PlanFileError as error:
        return _refuse(form, error.code, suffix)
    parsed = parse_plan(text)
    if not parsed.nodes:
        return _refuse(form, "no_headings", suffix)
    period_text = (form.period.data or "").strip()
    if period_text:
        try:
            parse_period(period_text)
        except ValidationFailed as error:
            form.period.errors = [*form.period.errors, error.errors["period"]]
            return _render_upload(form, 422)
    identical = find_identical_plan(source_digest(text))
    if identical is not None:
        flash(
            _(
                "This text is identical to the imported plan “%(title)s”: nothing to do, "
                "nothing was changed.",
                title=identical.title,
            ),
            "info",
        )
        return redirect(url_for("plans.detail", plan_id=identical.id))
    title = (form.title.data or "").strip()
    if form.target.data == "auto":
        target = find_plan_by_title(title or parsed.title)
    elif form.target.data == "new":
        target = None
    else:
        target = db.get_or_404(Plan, int(form.target.data))
    with one_transaction():
        staged = stage_import(
            current_user,
            filename=upload_file.filename,
            source_text=text,
            parsed=parsed,
            target=target,
        )
    args = {key: value for key, value in (("title", title), ("period", period_text)) if value}
    return redirect(url_for("plans.preview", import_id=staged.id, **args))


def _preview_page(staged: PlanImport, form: ApplyForm, status: int = 200, correction_form=None):
    """The parsed tree, indicators and warnings; for a revision, what would change."""
    corrected = apply_corrections(parsed_from_dict(staged.parsed_json), staged.corrections)
    parsed = corrected.parsed
    target = db.session.get(Plan, staged.target_plan_id) if staged.target_plan_id else None
    if request.method == "GET":
        form.title.data = request.args.get("title") or (target.title if target else parsed.title)
        if request.args.get("period"):
            form.period.data = request.args["period"]
        elif target:
            form.period.data = format_period(target.start_year, target.end_year)
        else:
            inferred = infer_period(form.title.data or "", staged.source_text)
            form.period.data = format_period(*inferred) if inferred else ""
        form.base.data = target.source_sha256 if target else ""
    comparison = None
    if target is not None:
        try:
            period = parse_period(form.period.data)
        except ValidationFailed:
            period = (target.start_year, target.end_year)
        comparison = compare_with_plan(
            target, parsed, title=(form.title.data or target.title).strip(), period=period
        )
    flat = flatten(parsed.nodes)
    return render_template(
        "plans/preview.html",
        annotated=sum(1 for node in flat if node.responsibility or node.deadline),
        unknown_departments=unknown_names(flat, department_index()),
        staged=staged,
        parsed=parsed,
        tree=tree_from_flat(flat),
        node_count=len(flat),
        indicators=[indicator_fields(row) for row in parsed.indicators],
        target=target,
        identical=find_identical_plan(staged.source_sha256),
        comparison=comparison,
        form=form,
        confirm=ConfirmForm(),
        correction_form=correction_form or CorrectionForm(),
        corrected=corrected,
        codes=[node.code for node in flat],
    ), status


@bp.get("/import/<int:import_id>")
@role_required(OFFICE_ROLES, event="plans")
def preview(import_id: int):
    staged = db.get_or_404(PlanImport, import_id)
    if staged.applied_at is not None:
        flash(_("This upload has been applied already."), "info")
        if staged.target_plan_id:
            return redirect(url_for("plans.detail", plan_id=staged.target_plan_id))
        return redirect(url_for("plans.index"))
    return _preview_page(staged, ApplyForm())


@bp.post("/import/<int:import_id>/apply")
@role_required(OFFICE_ROLES, event="plans")
def apply(import_id: int):
    staged = db.get_or_404(PlanImport, import_id)
    form = ApplyForm()
    if not form.validate_on_submit():
        return _preview_page(staged, form, 422)
    try:
        period = parse_period(form.period.data)
    except ValidationFailed as error:
        form.period.errors = [*form.period.errors, error.errors["period"]]
        return _preview_page(staged, form, 422)
    with one_transaction():
        result = apply_import(
            current_user,
            staged,
            title=form.title.data,
            period=period,
            base_sha256=form.base.data or None,
            now=clock.now(),
        )
    plan = result.plan
    if result.created:
        flash(_("Plan “%(title)s” imported.", title=plan.title), "success")
    else:
        diff = result.revision.diff
        flash(
            _(
                "Plan “%(title)s” updated: %(added)s nodes added, %(removed)s removed, "
                "%(changed)s changed; %(indicators)s indicators added, removed or changed.",
                title=plan.title,
                added=len(diff.added),
                removed=len(diff.removed) - len(result.revision.kept_nodes),
                changed=len(diff.changed),
                indicators=len(diff.indicators_added)
                + len(diff.indicators_removed)
                + len(diff.indicators_changed),
            ),
            "success",
        )
        if result.revision.kept_nodes:
            flash(
                _(
                    "Kept because work items come from them, although the new text no longer "
                    "has them: %(codes)s. Retire or move those work items, then import again.",
                    codes="、".join(result.revision.kept_nodes),
                ),
                "warning",
            )
        if result.revision.kept_indicators:
            flash(
                _(
                    "Indicators kept because they have values or work items, although the new "
                    "text no longer has them: %(numbers)s.",
                    numbers="、".join(str(n) for n in result.revision.kept_indicators),
                ),
                "warning",
            )
    return redirect(url_for("plans.detail", plan_id=plan.id))


@bp.post("/import/<int:import_id>/discard")
@role_required(OFFICE_ROLES, event="plans")
def discard(import_id: int):
    staged = db.get_or_404(PlanImport, import_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with one_transaction():
        discard_import(current_user, staged)
    flash(_("The upload was discarded."), "success")
    return redirect(url_for("plans.upload"))
