"""Every template global and filter, registered in this one place (areas keep the helpers)."""

from __future__ import annotations

from flask import Flask
from flask_babel import format_decimal, get_locale
from flask_login import current_user

from tracker import workflow
from tracker.api.token_routes import api_token_form, api_token_rows
from tracker.assessment import labels as assessment_labels
from tracker.assessment.vocabulary import event_label as assessment_event_label
from tracker.i18n import locale_name
from tracker.indicators.labels import status_badge as indicator_status_badge
from tracker.indicators.labels import template_value_display
from tracker.item_predicates import due_soon_days
from tracker.items import cells
from tracker.items import templating as items
from tracker.items.access import report_subject
from tracker.letters import queries as letter_queries
from tracker.letters import texts as letter_texts
from tracker.navigation import nav_links, nav_menu, profile_sections
from tracker.notices import notice_text
from tracker.templating import (
    KIND_LABELS,
    ROLE_LABELS,
    STATE_LABELS,
    local_date,
    local_datetime,
    percent,
    state_badge,
    url_with,
)


def _can(action: str, subject) -> bool:
    return current_user.is_authenticated and workflow.can(
        current_user, workflow.Action(action), subject
    )


def _can_letter(action: str, subject) -> bool:
    return current_user.is_authenticated and workflow.can_letter(
        current_user, workflow.LetterAction(action), subject
    )


def _item_letters(item_id: int) -> list:
    return letter_queries.item_letters(item_id, current_user)


def _my_open_letters() -> list:
    return letter_queries.open_department_letters(current_user.department_id)


def _letter_counts() -> dict:
    return letter_queries.open_counts(current_user)


def _is_office() -> bool:
    return current_user.is_authenticated and workflow.is_office(current_user)


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(
        # Permissions, labels and page helpers of every area.
        can=_can,
        can_letter=_can_letter,
        is_office=_is_office,
        role_labels=ROLE_LABELS,
        state_labels=STATE_LABELS,
        kind_labels=KIND_LABELS,
        state_badge=state_badge,
        url_with=url_with,
        get_locale=get_locale,
        locale_name=locale_name,
        nav_links=nav_links,
        nav_menu=nav_menu,
        notice_text=notice_text,
        profile_sections=profile_sections,
        # Work items and review.
        item_label=items.label,
        filter_options=items.filter_options,
        item_badge=items.badge,
        status_badge=items.status_badge,
        review_badge=items.review_badge,
        due_state=items.due_state,
        schedule_labels=items.schedule_labels,
        # The item tables' cells (Python, not macros: called on every row).
        item_cells=cells.item_cells,
        due_cell=cells.due_cell,
        owners=cells.owners,
        schedule_badge=cells.schedule_badge,
        light_label=cells.light_label,
        item_path=items.item_path,
        report_path=items.report_path,
        due_soon_days=due_soon_days,
        priority_labels=items.PRIORITY_LABELS,
        event_labels=items.EVENT_LABELS,
        item_subject_for=report_subject,
        file_size=items.file_size,
        # Indicators.
        indicator_status_badge=indicator_status_badge,
        indicator_value_display=template_value_display,
        # Assessment scores (review quality grade, event labels).
        grade_label=assessment_labels.grade_label,
        assessment_event_label=assessment_event_label,
        # Supervision letters.
        letter_level_label=letter_texts.level_label,
        letter_state_label=letter_texts.state_label,
        letter_reason_text=letter_texts.reason_text,
        item_letters=_item_letters,
        my_open_letters=_my_open_letters,
        letter_counts=_letter_counts,
        # The profile page's API token section.
        api_token_rows=api_token_rows,
        api_token_form=api_token_form,
    )
    app.jinja_env.filters.update(
        local_date=local_date,
        local_datetime=local_datetime,
        decimal=format_decimal,
        percent=percent,
    )
