"""The 通报 as a .docx laid out like a government document: red masthead, 文号, title, table.

Page, fonts and table come from ``tracker.documents.docx`` (GB/T 9704); this module says what
the bulletin contains.
"""

from __future__ import annotations

from flask_babel import format_date, format_percent
from flask_babel import gettext as _

from tracker.assessment.bulletin import add_to_docx as add_assessment
from tracker.bulletins.data import Bulletin
from tracker.documents import docx
from tracker.letters.document import bulletin_letters_section
from tracker.letters.queries import letters_issued_between


def _percent(value: float) -> str:
    return format_percent(value, "#,##0.#%")


def headers(bulletin: Bulletin) -> list[str]:
    return [
        _("Rank"),
        _("Department"),
        _("Reports due"),
        _("On time"),
        _("Late"),
        bulletin.not_reported_label,
        _("Returned"),
        _("Overdue items"),
        _("On-time rate"),
    ]


def summary_text(bulletin: Bulletin) -> str:
    total = bulletin.total
    # One set of figures for both wordings; before the deadline there is no "late" yet.
    figures = dict(
        period=bulletin.period_name,
        deadline=format_date(bulletin.period.deadline, "long"),
        departments=len(bulletin.lines),
        due=total.due,
        on_time=total.on_time,
        late=total.late,
        missing=total.missing,
        returned=total.returned,
        as_of=format_date(bulletin.as_of, "long"),
        overdue=total.overdue,
    )
    if not bulletin.deadline_passed:
        return _(
            "For the reporting period %(period)s (report deadline %(deadline)s, not yet "
            "reached), %(departments)s departments owe %(due)s progress reports: %(on_time)s "
            "have been submitted and %(missing)s not yet; %(returned)s were returned for "
            "rework. On %(as_of)s, %(overdue)s work items were past their due date.",
            **figures,
        )
    return _(
        "For the reporting period %(period)s (report deadline %(deadline)s), %(departments)s "
        "departments owed %(due)s progress reports: %(on_time)s were submitted on time, "
        "%(late)s late and %(missing)s not at all; %(returned)s were returned for rework. "
        "On %(as_of)s, %(overdue)s work items were past their due date.",
        **figures,
    )


def _lagging_entry(bulletin: Bulletin, line) -> str:
    if not bulletin.deadline_passed:  # a report not yet due is no arrear
        return _("%(name)s (%(overdue)s overdue)", name=line.name, overdue=line.stats.overdue)
    return _(
        "%(name)s (%(overdue)s overdue, %(missing)s not reported)",
        name=line.name,
        overdue=line.stats.overdue,
        missing=line.stats.missing,
    )


def ranking_text(bulletin: Bulletin) -> list[str]:
    lines = []
    if bulletin.best:
        lines.append(
            _(
                "Best on-time reporting: %(names)s.",
                names="、".join(
                    f"{line.name}（{_percent(line.stats.on_time_rate)}）" for line in bulletin.best
                ),
            )
        )
    if bulletin.lagging:
        lines.append(
            _(
                "Most in arrears: %(names)s.",
                names="、".join(_lagging_entry(bulletin, line) for line in bulletin.lagging),
            )
        )
    return lines


def behind_text(bulletin: Bulletin) -> str:
    """The sentence that names the 欠进度 departments (red items first)."""
    behind = bulletin.behind
    if behind is None or not behind.items:
        return _(
            "On %(today)s, no open work item was behind schedule.",
            today=format_date(bulletin.today, "long"),
        )
    names = "、".join(
        _("%(name)s (%(count)s items)", name=unit.name or _("no lead department"), count=unit.items)
        for unit in behind.departments
    )
    return _(
        "On %(today)s, %(count)s work items were behind schedule (欠进度), %(red)s of them "
        "far behind or past their due date. Departments behind schedule: %(names)s.",
        today=format_date(bulletin.today, "long"),
        count=len(behind.items),
        red=sum(1 for item in behind.items if item.light == "red"),
        names=names,
    )


def behind_headers() -> list[str]:
    return [
        _("Code"),
        _("Work item"),
        _("Lead department"),
        _("Expected progress"),
        _("Actual progress"),
        _("Lag (points)"),
        _("Light"),
    ]


def light_word(light: str) -> str:
    return _("Red light") if light == "red" else _("Yellow light")


def behind_rows(bulletin: Bulletin) -> list[list]:
    behind = bulletin.behind
    return [
        [
            item.code,
            item.title,
            item.department,
            f"{item.expected}%",
            f"{item.actual}%",
            item.lag,
            light_word(item.light),
        ]
        for item in (behind.items if behind else [])
    ]


def issue_text(issue) -> str:
    """One report's problems and coordination request, as a sentence of the 通报."""
    parts = [f"{issue.code} {issue.title}（{issue.department}）"]
    if issue.on_behalf:
        parts[0] += _(" [entered by the office]")
    if issue.problems:
        parts.append(_("Problems: %(text)s", text=issue.problems))
    if issue.support_needed:
        parts.append(_("Coordination needed: %(text)s", text=issue.support_needed))
    return "；".join(parts)


def render_docx(bulletin: Bulletin, assessment=None) -> bytes:
    """`assessment`: the quarter's score sheets (tracker/assessment/bulletin.py), if any."""
    document = docx.new_document(page_numbers=False)
    docx.title(
        document,
        _("Plan implementation bulletin"),
        size=docx.SIZE_YI_HAO,
        color=docx.RED,
        space_after=12,
    )
    number = docx.paragraph(
        document,
        _("〔%(year)s〕 No. %(issue)s", year=bulletin.year, issue=bulletin.issue),
        align=docx.CENTER,
        space_after=18,
    )
    docx.red_rule(number)
    docx.title(
        document,
        _("Bulletin on the progress of plan tasks in %(period)s", period=bulletin.period_name),
        space_after=18,
    )
    docx.paragraph(
        document,
        bulletin.plan.title if bulletin.plan else "",
        align=docx.CENTER,
        space_after=12,
    )
    docx.body(document, summary_text(bulletin))
    docx.heading(document, _("1. Reporting by department"))
    rows = [
        [
            line.position,
            line.name,
            line.stats.due,
            line.stats.on_time,
            line.stats.late,
            line.stats.missing,
            line.stats.returned,
            line.stats.overdue,
            _percent(line.stats.on_time_rate),
        ]
        for line in bulletin.lines
    ]
    docx.table(document, headers(bulletin), rows, size=11, center_body=True)

    docx.heading(document, _("2. Ranking"))
    for text in ranking_text(bulletin) or [_("No department owed a report in this period.")]:
        docx.body(document, text)
    docx.heading(document, _("3. Work items behind schedule (欠进度)"))
    docx.body(document, behind_text(bulletin))
    if bulletin.behind and bulletin.behind.items:
        docx.table(document, behind_headers(), behind_rows(bulletin), size=11)
    if bulletin.issues:
        docx.heading(document, _("4. Problems and coordination needed"))
        for issue in bulletin.issues:
            docx.body(document, issue_text(issue))
    bulletin_letters_section(
        document,
        _(
            "5. Supervision letters since %(date)s",
            date=format_date(bulletin.period.start_date, "long"),
        ),
        letters_issued_between(bulletin.period.start_date, bulletin.today),
    )
    add_assessment(document, assessment)
    docx.paragraph(document)
    docx.paragraph(document, bulletin.issuer, align=docx.RIGHT)
    docx.paragraph(document, format_date(bulletin.today, "long"), align=docx.RIGHT)
    return docx.to_bytes(document)
