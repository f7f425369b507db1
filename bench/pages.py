"""The pages the benchmark drives, who looks at them, and counting their SQL statements.

Shared by the runner (bench/probe.py, in a separate process on the benchmark database) and
the query-count tests (tests/test_query_counts.py, on the test database).
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event, func, select

logger = logging.getLogger(__name__)

# A page's statement budget (issue 9: no page above 20).
MAX_STATEMENTS = 20


@dataclass(frozen=True)
class Page:
    name: str
    label: str
    role: str  # liaison | office | api (bearer token of the office user)
    path: str  # may contain {item_id}, {indicator_id}, {department_id}, {plan_id}
    required: bool = True  # named in the issue (extra pages are measured too)


PAGES = (
    Page("liaison_home", "liaison home (/my)", "liaison", "/my"),
    Page("office_home", "office home (/office)", "office", "/office", required=False),
    Page("review_queue", "office review queue (/review)", "office", "/review"),
    Page(
        "item_list",
        "item list, filtered (/items?status=open&due=90)",
        "office",
        "/items?status=open&due=90",
    ),
    Page(
        "item_list_liaison",
        "item list of a liaison, filtered (/items?review=submitted)",
        "liaison",
        "/items?status=open&review=submitted",
        required=False,
    ),
    Page(
        "item_list_light",
        "item list by schedule light (/items?light=red)",
        "office",
        "/items?light=red",
        required=False,
    ),
    Page(
        "api_items_light",
        "API item list by schedule light (/api/v1/items?light=yellow)",
        "api",
        "/api/v1/items?light=yellow",
        required=False,
    ),
    Page(
        "item_list_choices",
        "item list's department search (/items/choices/department?q=1)",
        "office",
        "/items/choices/department?q=1",
        required=False,
    ),
    Page("item_page", "item page (/items/ID)", "office", "/items/{item_id}"),
    Page("city_dashboard", "city dashboard (/dashboard/)", "office", "/dashboard/"),
    Page(
        "department_dashboard",
        "department dashboard (/dashboard/department/ID)",
        "office",
        "/dashboard/department/{department_id}",
        required=False,
    ),
    Page("bulletin", "通报 of a period (/bulletins/ID)", "office", "/bulletins/{period_id}", False),
    Page(
        "coordination",
        "coordination requests (/coordination?state=all)",
        "office",
        "/coordination?state=all",
        required=False,
    ),
    Page(
        "api_coordination",
        "API coordination list (/api/v1/coordination)",
        "api",
        "/api/v1/coordination",
        required=False,
    ),
    Page("instructions", "领导批示 (/instructions?all=1)", "office", "/instructions?all=1", False),
    Page(
        "api_instructions",
        "API instruction list (/api/v1/instructions)",
        "api",
        "/api/v1/instructions",
        required=False,
    ),
    Page("indicator_page", "indicator page (/indicators/)", "office", "/indicators/"),
    Page(
        "indicator_detail",
        "one indicator (/indicators/ID)",
        "office",
        "/indicators/{indicator_id}",
        required=False,
    ),
    Page("api_items", "API item list (/api/v1/items)", "api", "/api/v1/items"),
    Page("letters_office", "letter list (/letters/)", "office", "/letters/", required=False),
    Page("letters_liaison", "a liaison's letters (/letters/)", "liaison", "/letters/", False),
    Page("api_letters", "API letter list (/api/v1/letters)", "api", "/api/v1/letters", False),
)


@dataclass
class Targets:
    """Who to log in as and which objects to open, chosen from the data itself."""

    liaison: str
    office: str
    item_id: int
    indicator_id: int
    values: dict = field(default_factory=dict)
    department_id: int = 0  # the busiest department (its dashboard is the heaviest)
    period_id: int = 0  # the newest plan's first reporting period (its 通报)

    def url(self, page: Page) -> str:
        return page.path.format(
            item_id=self.item_id,
            indicator_id=self.indicator_id,
            department_id=self.department_id,
            period_id=self.period_id,
        )


def choose_targets(session) -> Targets:
    """The busiest department's first liaison (most items led: its home is the heaviest),
    an office reviewer, the item with the most reports and the newest plan's first
    indicator. Works on generated data and on the Shaoxing demo alike."""
    from tracker.models import Indicator, Plan, Report, ReportingPeriod, User, WorkItem

    busiest = session.execute(
        select(WorkItem.lead_department_id, func.count(WorkItem.id))
        .where(WorkItem.lead_department_id.is_not(None))
        .group_by(WorkItem.lead_department_id)
        .order_by(func.count(WorkItem.id).desc(), WorkItem.lead_department_id)
        .limit(1)
    ).first()
    liaison_query = select(User.username).where(User.role == "liaison", User.active)
    if busiest is not None:
        liaison_query = liaison_query.where(User.department_id == busiest[0])
    liaison = session.scalar(liaison_query.order_by(User.id).limit(1))
    office = session.scalar(
        select(User.username).where(User.role == "office", User.active).order_by(User.id).limit(1)
    )
    item_id = session.scalar(
        select(Report.item_id)
        .group_by(Report.item_id)
        .order_by(func.count(Report.id).desc(), Report.item_id)
        .limit(1)
    ) or session.scalar(select(func.min(WorkItem.id)))
    newest_plan = session.scalar(
        select(Plan.id).order_by(Plan.status, Plan.start_year.desc(), Plan.id.desc()).limit(1)
    )
    indicator_id = session.scalar(
        select(Indicator.id)
        .where(Indicator.plan_id == newest_plan)
        .order_by(Indicator.number)
        .limit(1)
    )
    period_id = session.scalar(
        select(ReportingPeriod.id)
        .where(ReportingPeriod.plan_id == newest_plan)
        .order_by(ReportingPeriod.start_date, ReportingPeriod.id)
        .limit(1)
    )
    return Targets(
        liaison or "",
        office or "",
        item_id or 0,
        indicator_id or 0,
        department_id=busiest[0] if busiest is not None else 0,
        period_id=period_id or 0,
    )


def page_available(app, page: Page, targets: Targets) -> bool:
    """Whether the page's URL reaches a registered view (areas land while we measure)."""
    from werkzeug.exceptions import HTTPException

    adapter = app.url_map.bind("localhost")
    path = targets.url(page).split("?", 1)[0]
    try:
        adapter.match(path, method="GET")
    except HTTPException as error:
        # A redirect (trailing slash) still means the view exists.
        return getattr(error, "code", 404) in (301, 302, 308)
    return True


# ---------------------------------------------------------------- counting statements


@dataclass
class Statement:
    sql: str
    parameters: object
    seconds: float
    executemany: bool
    cpu_seconds: float = 0.0  # this process's CPU: SQLite's own work (not PostgreSQL's)


@dataclass
class Capture:
    statements: list[Statement] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def capture_sql(engine):
    """Record every statement `engine` executes (SQL, parameters, time) inside the block."""
    capture = Capture()
    started: dict[int, tuple[float, float]] = {}

    def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        started[id(cursor)] = (time.perf_counter(), time.process_time())

    def after(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        began, began_cpu = started.pop(id(cursor), (time.perf_counter(), time.process_time()))
        capture.statements.append(
            Statement(
                statement,
                parameters,
                time.perf_counter() - began,
                executemany,
                time.process_time() - began_cpu,
            )
        )

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield capture
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def log_in(client, app, username: str) -> None:
    """Put the user in the test client's session, as Flask-Login would after the form."""
    from tracker.extensions import db
    from tracker.models import User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise LookupError(f"no user {username!r} in the benchmark database")
        user_id = user.get_id()
        db.session.remove()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True


def request_page(client, page: Page, targets: Targets, api_token: str | None = None):
    headers = {}
    if page.role == "api" and api_token:
        headers["Authorization"] = f"Bearer {api_token}"
    return client.get(targets.url(page), headers=headers)


def count_page(app, client, page: Page, targets: Targets, api_token: str | None = None):
    """(status code, Capture) of one request of the page, its statements recorded."""
    from tracker.extensions import db

    with app.app_context():
        engine = db.engine
    with capture_sql(engine) as capture:
        response = request_page(client, page, targets, api_token)
    return response.status_code, capture
