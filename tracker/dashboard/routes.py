"""Dashboard pages: the city overview (office, leaders) and a department's view."""

from __future__ import annotations

import logging

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker import clock, fragments
from tracker.coordination.queries import open_coordination_count
from tracker.dashboard import bp, links
from tracker.dashboard.charts import chart_data
from tracker.dashboard.overview import city_overview, department_overview
from tracker.dashboard.scope import due_soon_days
from tracker.extensions import db
from tracker.fragments import viewer_scope
from tracker.indicators.labels import STATUS_COLOURS, STATUS_LABELS
from tracker.models import Department
from tracker.pagination import Page, page_args
from tracker.plan_lists import plan_list, requested_plan
from tracker.security import log_security_event
from tracker.web import role_required
from tracker.workflow import SEE_ALL_ROLES, can_see_all

logger = logging.getLogger(__name__)

DEPARTMENTS_PER_PAGE = 50


def _city(plan, plans):
    """The city's figures for the chosen plan (None before any plan is imported)."""
    return city_overview(plan, clock.today(), due_soon_days(), plans) if plan else None


def _render(template: str, overview, plans, **context) -> str:
    """A dashboard's content (kept by tracker/fragments.py: nothing of the one user here)."""
    return render_template(
        template,
        overview=overview,
        plans=plans,
        charts=chart_data(overview) if overview else None,
        items_url=links.items_url,
        review_queue_url=(
            links.review_queue_url if can_see_all(current_user) else lambda **_args: None
        ),
        indicator_url=links.indicator_url,
        item_url=links.item_url,
        status_labels=STATUS_LABELS,
        status_colours=STATUS_COLOURS,
        **context,
    )


@bp.get("/")
@role_required(SEE_ALL_ROLES)
def city():
    """The city overview; liaisons see their own department's view instead (403 here)."""
    plans = plan_list()
    plan = requested_plan(plans)

    def content() -> str:
        overview = _city(plan, plans)
        return _render(
            "dashboard/_city_body.html",
            overview,
            plans,
            coordination_open=open_coordination_count(),
        )

    body = fragments.cached(
        "dashboard.city",
        viewer_scope(current_user),
        content,
        plan and plan.id,
        due_soon_days(),
        current_app.config["DASHBOARD_DEPARTMENT_ROWS"],
    )
    return render_template("dashboard/city.html", body=body, has_plan=plan is not None)


@bp.get("/departments")
@role_required(SEE_ALL_ROLES)
def departments():
    """The city dashboard's department ranking in full, a page at a time (the dashboard
    itself shows the first DASHBOARD_DEPARTMENT_ROWS: its HTML must not grow with the
    number of departments)."""
    plans = plan_list()
    plan = requested_plan(plans)
    number, size = page_args(DEPARTMENTS_PER_PAGE)

    def content() -> str:
        overview = _city(plan, plans)
        ranked = overview.departments if overview else []
        start = (number - 1) * size
        page = Page(ranked[start : start + size], number, size, len(ranked))
        return _render("dashboard/_departments_body.html", overview, plans, page=page)

    body = fragments.cached(
        "dashboard.departments",
        viewer_scope(current_user),
        content,
        due_soon_days(),
        # The pager's links repeat the query string: the whole of it is the key.
        sorted(request.args.items(multi=True)),
    )
    return render_template("dashboard/departments.html", body=body)


@bp.get("/department")
@login_required
def my_department():
    """The navigation link: one's own department; the office and leaders may pick another."""
    department_id = current_user.department_id
    if can_see_all(current_user):
        department_id = request.args.get("department", department_id, type=int)
    plan_id = request.args.get("plan", type=int)
    return redirect(url_for("dashboard.department", department_id=department_id, plan=plan_id))


@bp.get("/department/<int:department_id>")
@login_required
def department(department_id: int):
    """One department's view: liaisons only their own (another one is 404, like a missing one)."""
    if not can_see_all(current_user) and department_id != current_user.department_id:
        log_security_event("dashboard.department", outcome="denied", obj=str(department_id))
        abort(404)
    unit = db.session.get(Department, department_id)
    if unit is None:
        abort(404)
    plans = plan_list()
    plan = requested_plan(plans)

    def content() -> str:
        overview = (
            department_overview(plan, unit, clock.today(), due_soon_days(), plans) if plan else None
        )
        return _render(
            "dashboard/_department_body.html",
            overview,
            plans,
            unit=unit,
            pick_department=can_see_all(current_user),
        )

    body = fragments.cached(
        "dashboard.department",
        viewer_scope(current_user),
        content,
        unit.id,
        plan and plan.id,
        due_soon_days(),
    )
    return render_template(
        "dashboard/department.html", body=body, unit=unit, has_plan=plan is not None
    )
