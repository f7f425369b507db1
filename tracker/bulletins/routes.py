"""Bulletin pages: choose a period, read it (printable), download it as .docx."""

from __future__ import annotations

import logging

from flask import abort, current_app, render_template, request
from flask_login import current_user, login_required

from tracker.bulletins import bp
from tracker.bulletins.data import build_bulletin, bulletin_periods
from tracker.bulletins.document import ranking_text, render_docx, summary_text
from tracker.dashboard import links
from tracker.dashboard.queries import choose_plan, dashboard_plans
from tracker.dashboard.scope import local_today
from tracker.documents import DOCX_MIMETYPE
from tracker.documents.download import send_download
from tracker.extensions import db
from tracker.models import ReportingPeriod
from tracker.periods import focus_period
from tracker.security import log_security_event
from tracker.workflow import can_see_all

logger = logging.getLogger(__name__)


def _require_reader() -> None:
    """A bulletin compares every department: the office, admins and leaders read it."""
    if not can_see_all(current_user):
        log_security_event(request.endpoint or "bulletins", outcome="denied")
        abort(403)


def _period_or_404(period_id: int) -> ReportingPeriod:
    period = db.session.get(ReportingPeriod, period_id)
    if period is None:
        abort(404)
    return period


@bp.get("/")
@login_required
def index():
    _require_reader()
    plans = dashboard_plans()
    plan = choose_plan(plans, request.args.get("plan", type=int))
    today = local_today()
    periods = bulletin_periods(plan.id, today) if plan else []
    focus = focus_period(plan.id, today) if plan else None
    return render_template(
        "bulletins/index.html", plans=plans, plan=plan, periods=periods, focus=focus
    )


@bp.get("/<int:period_id>")
@login_required
def show(period_id: int):
    _require_reader()
    period = _period_or_404(period_id)
    bulletin = build_bulletin(period, local_today(), current_app.config["TIMEZONE"])
    return render_template(
        "bulletins/show.html",
        bulletin=bulletin,
        summary=summary_text(bulletin),
        ranking=ranking_text(bulletin),
        items_url=links.items_url,
    )


@bp.get("/<int:period_id>.docx")
@login_required
def download(period_id: int):
    _require_reader()
    period = _period_or_404(period_id)
    bulletin = build_bulletin(period, local_today(), current_app.config["TIMEZONE"])
    return send_download(
        render_docx(bulletin), filename=f"通报-{period.label}.docx", mimetype=DOCX_MIMETYPE
    )
