"""Letter pages: the list (office: all; a department: its own), a letter with its reply form
and the office's decisions, the .docx, evidence downloads, and issuing by hand."""

from __future__ import annotations

import logging
import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from tracker.documents import DOCX_MIMETYPE
from tracker.documents.download import send_download
from tracker.errors import InvalidTransition, NotFound, StaleVersion, ValidationFailed
from tracker.evidence import send_evidence
from tracker.extensions import db
from tracker.items.forms import ConfirmForm, parse_version
from tracker.letters import bp
from tracker.letters.document import render_letter_docx
from tracker.letters.forms import IssueForm, NoteForm, ReplyForm
from tracker.letters.operations import (
    cancel_letter,
    close_letter,
    escalate_letter,
    issue_letter,
    reissue_letter,
    reply_to_letter,
    require_letter,
    visible_letter,
)
from tracker.letters.queries import (
    LEVELS,
    STATES,
    letter_attachment,
    letter_with_details,
    letters_query,
)
from tracker.letters.texts import level_label, level_title, reason_text, state_label
from tracker.models import WorkItem
from tracker.pagination import paginate
from tracker.plan_lists import plan_list
from tracker.web import conflict_page, department_choices, form_page, one_transaction, role_required
from tracker.workflow import OFFICE_ROLES, LetterAction

logger = logging.getLogger(__name__)


def _letter(letter_id: int):
    letter = letter_with_details(letter_id)
    return require_letter(current_user, LetterAction.VIEW, letter)


def _show(letter_id: int):
    return redirect(url_for("letters.show", letter_id=letter_id))


@bp.get("/")
@login_required
def index():
    department_id = request.args.get("department", type=int)
    level = request.args.get("level") or None
    state = request.args.get("state") or None
    page = paginate(
        letters_query(current_user, department_id=department_id, level=level, state=state)
    )
    return render_template(
        "letters/index.html",
        page=page,
        departments=department_choices(_("All departments")),
        levels=LEVELS,
        states=STATES,
        filters={"department": department_id or 0, "level": level or "", "state": state or ""},
        level_label=level_label,
        state_label=state_label,
    )


def _context(letter, **forms) -> dict:
    return {
        "letter": letter,
        "title": level_title(letter.level),
        "reason_text": reason_text,
        "level_label": level_label,
        "state_label": state_label,
        "reply_form": forms.get("reply_form") or ReplyForm(version=letter.version),
        "note_form": forms.get("note_form") or NoteForm(version=letter.version),
        "confirm_form": ConfirmForm(),
    }


@bp.get("/<int:letter_id>")
@login_required
def show(letter_id: int):
    return render_template("letters/show.html", **_context(_letter(letter_id)))


@bp.get("/<int:letter_id>.docx")
@login_required
def download(letter_id: int):
    letter = _letter(letter_id)
    filename = f"{letter.number}.docx".replace("〔", "(").replace("〕", ")")
    return send_download(render_letter_docx(letter), filename=filename, mimetype=DOCX_MIMETYPE)


@bp.get("/<int:letter_id>/evidence/<int:attachment_id>")
@login_required
def evidence(letter_id: int, attachment_id: int):
    _letter(letter_id)
    attachment = letter_attachment(letter_id, attachment_id)
    if attachment is None:
        raise NotFound()
    return send_evidence(attachment)


@bp.post("/<int:letter_id>/reply")
@login_required
def reply(letter_id: int):
    letter = _letter(letter_id)
    form = ReplyForm()
    return form_page(
        form,
        lambda: reply_to_letter(
            current_user,
            letter,
            form.reply.data,
            request.files.getlist(form.files.name),
            expected_version=parse_version(form.version.data),
        ),
        done=lambda _result: (
            flash(_("Your reply was sent to the office."), "success"),
            _show(letter_id),
        )[1],
        template="letters/show.html",
        context={k: v for k, v in _context(letter).items() if k != "reply_form"}
        | {"reply_form": form},
        back_url=url_for("letters.show", letter_id=letter_id),
        label=letter.number,
        idle_status=422,
    )


def _decision(letter_id: int, operation, done_message: str):
    letter = _letter(letter_id)
    form = NoteForm()
    return form_page(
        form,
        lambda: operation(letter, form),
        done=lambda result: (flash(done_message, "success"), _show(result.id))[1],
        template="letters/show.html",
        context={k: v for k, v in _context(letter).items() if k != "note_form"}
        | {"note_form": form},
        back_url=url_for("letters.show", letter_id=letter_id),
        label=letter.number,
        idle_status=422,
    )


@bp.post("/<int:letter_id>/close")
@role_required(OFFICE_ROLES)
def close(letter_id: int):
    return _decision(
        letter_id,
        lambda letter, form: close_letter(
            current_user, letter, form.note.data, expected_version=parse_version(form.version.data)
        ),
        _("The letter is closed (办结)."),
    )


@bp.post("/<int:letter_id>/cancel")
@role_required(OFFICE_ROLES)
def cancel(letter_id: int):
    return _decision(
        letter_id,
        lambda letter, form: cancel_letter(
            current_user, letter, form.note.data, expected_version=parse_version(form.version.data)
        ),
        _("The letter is cancelled."),
    )


@bp.post("/<int:letter_id>/escalate")
@role_required(OFFICE_ROLES)
def escalate(letter_id: int):
    return _decision(
        letter_id,
        lambda letter, form: escalate_letter(current_user, letter, form.note.data),
        _("A higher letter was issued."),
    )


@bp.post("/<int:letter_id>/reissue")
@role_required(OFFICE_ROLES)
def reissue(letter_id: int):
    letter = visible_letter(current_user, letter_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        raise ValidationFailed(_("The form has expired; reload the page and try again."))
    try:
        with one_transaction():
            new = reissue_letter(current_user, letter)
    except (StaleVersion, InvalidTransition) as error:
        return conflict_page(error, url_for("letters.show", letter_id=letter_id), letter.number)
    flash(_("The letter was issued again as %(number)s.", number=new.number), "success")
    return _show(new.id)


def _codes(text: str | None) -> list[str]:
    return [code for code in re.split(r"[\s,，、;；]+", text or "") if code]


@bp.route("/new", methods=["GET", "POST"])
@role_required(OFFICE_ROLES)
def new():
    form = IssueForm()
    plans = plan_list()
    form.plan_id.choices = [(plan.id, plan.title) for plan in plans]

    def operation():
        codes = _codes(form.codes.data)
        ids = dict(
            db.session.execute(
                select(WorkItem.code, WorkItem.id).where(
                    WorkItem.plan_id == form.plan_id.data, WorkItem.code.in_(codes)
                )
            ).all()
        )
        missing = [code for code in codes if code not in ids]
        if missing:
            raise ValidationFailed(
                {"codes": _("No such work item: %(codes)s", codes="、".join(missing))}
            )
        return issue_letter(
            current_user, level=form.level.data, item_ids=list(ids.values()), note=form.note.data
        )

    return form_page(
        form,
        operation,
        done=lambda letter: (
            flash(_("Letter %(number)s was issued.", number=letter.number), "success"),
            _show(letter.id),
        )[1],
        template="letters/new.html",
        context={},
        back_url=url_for("letters.index"),
    )
