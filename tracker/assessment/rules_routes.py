"""The office's rule page: every stored version, and a new version pasted or uploaded."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker import clock
from tracker.assessment import bp
from tracker.assessment.forms import RulesForm
from tracker.assessment.operations import import_rules, rule_set_for, stored_versions
from tracker.assessment.parsing import Problem, RuleFileError, as_csv, parse_rules
from tracker.assessment.vocabulary import EVENTS
from tracker.web import one_transaction, role_required
from tracker.workflow import OFFICE_ROLES

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 256 * 1024


def _submitted_text(form: RulesForm) -> str:
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        raw = upload.read(MAX_UPLOAD_BYTES + 1)
        if len(raw) > MAX_UPLOAD_BYTES:
            raise RuleFileError([Problem(None, _("The file is larger than 256 KB."))])
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise RuleFileError([Problem(None, _("The file is not UTF-8 text."))]) from None
    return form.rules.data or ""


def _draft_for_next_year() -> str:
    """The version in force, offered as next year's version to edit."""
    year = clock.today().year + 1
    current = rule_set_for(year) or rule_set_for(year - 1)
    if current is None:
        return ""
    text = as_csv([current])
    first = str(current.first_year)
    last = "" if current.last_year is None else str(current.last_year)
    lines = text.splitlines()
    body = [line.replace(f"{first},{last},", f"{year},,", 1) for line in lines[1:]]
    return "\n".join([lines[0], *body]) + "\n"


@bp.route("/rules", methods=["GET", "POST"])
@role_required(OFFICE_ROLES)
def rules():
    form = RulesForm()
    problems: list[Problem] = []
    status = 200
    if request.method == "GET":
        form.rules.data = _draft_for_next_year()
    elif form.validate_on_submit():
        try:
            versions = parse_rules(_submitted_text(form))
            with one_transaction():
                created = import_rules(
                    current_user, versions, note=form.note.data or "", now=clock.now()
                )
        except RuleFileError as error:
            problems = error.problems
            status = 422
        else:
            flash(
                _(
                    "Stored %(n)s version(s) of the rules: %(years)s.",
                    n=len(created),
                    years=", ".join(str(rule_set.first_year) for rule_set in created),
                ),
                "success",
            )
            return redirect(url_for("assessment.rules"))
    else:
        status = 422
    return (
        render_template(
            "assessment/rules.html",
            form=form,
            problems=problems,
            versions=stored_versions(),
            events=EVENTS,
        ),
        status,
    )
