"""Bulletin pages: choose a period, read it (printable), download it as .docx."""

from __future__ import annotations

import logging

from flask import abort, current_app, render_template

from tracker import clock
from tracker.assessment.bulletin import bulletin_section
from tracker.bulletins import bp
from tracker.bulletins.data import build_bulletin, bulletin_periods
from tracker.bulletins.document import (
    behind_text,
    issue_text,
    light_word,
    ranking_text,
    render_docx,
    summary_text,
)
from tracker.dashboard import links
from tracker.documents import DOCX_MIMETYPE
from tracker.documents.download import send_download
from tracker.extensions import db
from tracker.letters.queries import letters_issued_between
from tracker.models import ReportingPeriod
from tracker.periods import focus_period
from tracker.plan_lists import plan_list, requested_plan
from tracker.web import role_required
from tracker.workflow import SEE_ALL_ROLES

logger = logging.getLogger(__name__)


def _period_or_404(period_id: int) -> ReportingPeriod:
    period = db.session.get(ReportingPeriod, period_id)
    if period is None:
        abort(404)
    return period


@bp.get("/")
@role_required(SEE_ALL_ROLES)
def index():
    plans = plan_list()
    plan = requested_plan(plans)
    today = clock.today()
    periods = bulletin_periods(plan.id, today) if plan else []
    focus = focus_period(plan.id, today) if plan else None
    return render_template(
        "bulletins/index.html", plans=plans, plan=plan, periods=periods, focus=focus
    )


@bp.get("/<int:period_id>")
@role_required(SEE_ALL_ROLES)
def show(period_id: int):
    period = _period_or_404(period_id)
    bulletin = build_bulletin(period, clock.today(), current_app.config["TIMEZONE"])
    return render_template(
        "bulletins/show.html",
        bulletin=bulletin,
        assessment=bulletin_section(period, clock.today(), current_app.config["TIMEZONE"]),
        summary=summary_text(bulletin),
        ranking=ranking_text(bulletin),
        behind=behind_text(bulletin),
        light_word=light_word,
        issues=[issue_text(issue) for issue in bulletin.issues],
        items_url=links.items_url,
        letters=letters_issued_between(period.start_date, bulletin.today),
        item_url=links.item_url,
    )


@bp.get("/<int:period_id>.docx")
@role_required(SEE_ALL_ROLES)
def download(period_id: int):
    period = _period_or_404(period_id)
    bulletin = build_bulletin(period, clock.today(), current_app.config["TIMEZONE"])
    assessment = bulletin_section(period, clock.today(), current_app.config["TIMEZONE"])
    return send_download(
        render_docx(bulletin, assessment),
        filename=f"通报-{period.label}.docx",
        mimetype=DOCX_MIMETYPE,
    )
