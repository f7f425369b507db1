"""The approver's home (待审签) and the sign-off button on the report page."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from tracker import clock
from tracker.errors import InvalidTransition, StaleVersion, ValidationFailed
from tracker.items.access import load_report
from tracker.models import Report
from tracker.pagination import paginate
from tracker.review.forms import VerifyForm
from tracker.signoff import bp
from tracker.signoff.operations import approve_report
from tracker.signoff.queries import pending_approval_query
from tracker.web import conflict_page, one_transaction, role_required
from tracker.workflow import Role

logger = logging.getLogger(__name__)


@bp.get("/signoff")
@role_required({Role.APPROVER})
def home():
    """待审签: the approver's first screen, their department's reports waiting for them."""
    page = paginate(pending_approval_query(current_user), per_page=25)
    return render_template(
        "signoff/home.html",
        page=page,
        today=clock.today(),
    )


@bp.post("/reports/<int:report_id>/approve")
@login_required
def approve(report_id: int):
    """Sign the report off: it goes on to the office's review queue."""
    report = load_report(current_user, report_id, joinedload(Report.period))
    form = VerifyForm()
    if not form.validate_on_submit():
        raise ValidationFailed({name: "; ".join(map(str, e)) for name, e in form.errors.items()})
    try:
        with one_transaction():
            approve_report(
                current_user,
                report,
                expected_version=form.loaded_version(),
                comment=form.comment.data or "",
                now=clock.now(),
            )
    except (StaleVersion, InvalidTransition) as error:
        return conflict_page(error, url_for("review.report", report_id=report_id), report.item.code)
    flash(
        _("The report for %(code)s was signed off and sent to the office.", code=report.item.code),
        "success",
    )
    return redirect(url_for("signoff.home"))
