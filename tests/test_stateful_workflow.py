"""A stateful property test: hypothesis drives the real app through random sequences.

Random users (two liaisons of each of two departments, two reviewers, an admin, a leader)
create and assign items, edit them with current and stale versions, write, upload, submit,
verify and return reports, ask for extensions, tick the scheduler (reminders, digests,
dispatch to the in-memory transport), log out and replay the captured cookie. Everything
goes through the Flask test client and the real services. After every step:

- every report's state is a review state, and each change of state since the last step is
  a transition of the table (tracker.workflow.TRANSITIONS);
- a verified report never changes again;
- a liaison never reads another department's item or report (404 like a missing one);
- every change to an item or its reports appended an audit event for that item;
- no dedupe key is ever sent twice, and no request answered 500.

Bounded (STATEFUL_EXAMPLES, default 25 examples of up to 30 steps) so the suite stays fast.
"""

from __future__ import annotations

import io
import os
from datetime import date, datetime, time, timedelta

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.conftest import make_department, make_user, truncate_all
from tests.items_support import PDF_BYTES, TODAY, make_item, make_plan, make_report, periods
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    ExtensionRequest,
    OutboxMessage,
    Report,
    User,
    WorkItem,
)
from tracker.workflow import TRANSITIONS, Action, ReviewState, can

EXAMPLES = int(os.environ.get("STATEFUL_EXAMPLES", "25"))
STEPS = int(os.environ.get("STATEFUL_STEPS", "30"))
ALLOWED_MOVES = {(a.value, b.value) for (a, _action), b in TRANSITIONS.items() if a != b}
USERS = ("a1", "a2", "b1", "b2", "office", "office2", "admin", "leader")
users_st = st.sampled_from(USERS)
# Report actions pick "lead" (a liaison of the item's lead department) or "reviewer" more
# often than chance would, so sequences get past the first refusals.
actors_st = st.sampled_from((*USERS, "lead", "lead", "lead", "reviewer", "reviewer"))
HOSTILE = st.sampled_from(["进展顺利", "<script>alert(1)</script>", "=1+1", "a\r\nBcc: x@evil"])


class WorkflowMachine(RuleBasedStateMachine):
    app = None  # set by the test
    # What actually happened over all examples, so a vacuous run fails the test.
    happened: dict[str, int] = {}

    def _count(self, what: str, done: bool = True) -> None:
        if done:
            self.happened[what] = self.happened.get(what, 0) + 1

    @initialize()
    def build_world(self):
        truncate_all(db)
        db.session.remove()
        from tracker.notify.transports import memory_box

        memory_box(self.app).clear()
        with self.app.test_request_context():
            self.dept_a, self.dept_b = make_department("甲局"), make_department("乙局")
            office_dept = make_department("督办办", kind="office")
            made = {
                "a1": make_user("liaison", self.dept_a, username="a1"),
                "a2": make_user("liaison", self.dept_a, username="a2"),
                "b1": make_user("liaison", self.dept_b, username="b1"),
                "b2": make_user("liaison", self.dept_b, username="b2"),
                "office": make_user("office", office_dept, username="office"),
                "office2": make_user("office", office_dept, username="office2"),
                "admin": make_user("admin", office_dept, username="admin"),
                "leader": make_user("leader", make_department("市府"), username="leader"),
            }
            self.plan = make_plan()
            self.periods = [p.id for p in periods(self.plan).values() if p.start_date <= TODAY]
            first = make_item(
                self.plan, self.dept_a, [self.dept_b], code="三.1.(1)", due=date(2026, 12, 8)
            )
            second = make_item(self.plan, self.dept_b, code="三.1.(2)", due=date(2026, 12, 3))
            # Start with a draft and a submission, so report rules have material from step 1.
            focus = periods(self.plan)["2026Q4"]
            make_report(first, made["a1"], focus, "draft")
            make_report(second, made["b1"], focus, "submitted")
            db.session.commit()
            self.user_ids = {name: user.id for name, user in made.items()}
            self.dept_ids = (self.dept_a.id, self.dept_b.id)
            self.plan_id = self.plan.id
        self.clients = {}
        for name in USERS:
            self._login(name)
        self.today = TODAY
        self.seen_states: dict[int, str] = {}
        self.verified: dict[int, tuple] = {}
        self.fingerprints: dict[int, tuple] = {}
        self.audits: dict[int, int] = {}
        self.codes = 2
        self._remember()

    # ------------------------------------------------------------ helpers

    def _resolve(self, who: str, item: WorkItem) -> str:
        if who == "lead":
            prefix = "a" if item.lead_department_id == self.dept_ids[0] else "b"
            return f"{prefix}{1 + len(self.seen_states) % 2}"
        if who == "reviewer":
            return ("office", "office2")[len(self.fingerprints) % 2]
        return who

    def _user(self, name: str) -> User:
        return db.session.get(User, self.user_ids[name])

    def _login(self, name: str) -> None:
        client = self.app.test_client()
        user = self._user(name)
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        self.clients[name] = client

    def _request(self, name: str, method: str, url: str, **kwargs):
        response = self.clients[name].open(url, method=method, **kwargs)
        assert response.status_code != 500, (name, method, url)
        db.session.expire_all()
        return response

    def _items(self) -> list[WorkItem]:
        db.session.expire_all()
        return list(db.session.scalars(db.select(WorkItem).order_by(WorkItem.id)))

    def _reports(self) -> list[Report]:
        return list(db.session.scalars(db.select(Report).order_by(Report.id)))

    def _item_fingerprint(self, item: WorkItem) -> tuple:
        reports = [r for r in self._reports() if r.item_id == item.id]
        return (
            item.version,
            item.lead_department_id,
            tuple(sorted(d.id for d in item.co_departments)),
            tuple((r.id, r.version, r.state) for r in reports),
            db.session.query(ExtensionRequest).filter_by(item_id=item.id).count(),
        )

    def _audit_count(self, item_id: int) -> int:
        return db.session.query(AuditEvent).filter(AuditEvent.item_id == item_id).count()

    def _remember(self) -> None:
        for item in self._items():
            self.fingerprints[item.id] = self._item_fingerprint(item)
            self.audits[item.id] = self._audit_count(item.id)

    # ------------------------------------------------------------ rules: items

    @rule(who=users_st, lead=st.integers(0, 1), co=st.booleans())
    def create_item(self, who, lead, co):
        self.codes += 1
        lead_id = self.dept_ids[lead]
        response = self._request(
            who,
            "POST",
            "/items/new",
            data={
                "plan_id": self.plan_id,
                "code": f"新.{self.codes}",
                "title": f"新增事项{self.codes}",
                "lead_department_id": lead_id,
                "co_department_ids": [self.dept_ids[1 - lead]] if co else [],
                "due_date": (self.today + timedelta(days=9)).isoformat(),
                "priority": "2",
            },
        )
        created = db.session.query(WorkItem).filter_by(code=f"新.{self.codes}").count()
        if who in ("office", "office2", "admin"):
            assert response.status_code in (302, 303) and created == 1, response.status_code
            self._count("item created")
        else:
            assert response.status_code == 403 and created == 0

    @rule(who=users_st, index=st.integers(0, 10), lead=st.integers(0, 1), co=st.booleans())
    def assign_item(self, who, index, lead, co):
        items = self._items()
        item = items[index % len(items)]
        version = item.version
        allowed = can(self._user(who), Action.ASSIGN_ITEM, item.subject())
        response = self._request(
            who,
            "POST",
            f"/items/{item.id}/assign",
            data={
                "version": version,
                "lead_department_id": self.dept_ids[lead],
                "co_department_ids": [self.dept_ids[1 - lead]] if co else [],
            },
        )
        if not allowed:
            assert response.status_code in (403, 404)
            assert db.session.get(WorkItem, item.id).version == version

    @rule(who=actors_st, index=st.integers(0, 10), stale=st.booleans(), title=HOSTILE)
    def edit_item(self, who, index, stale, title):
        items = self._items()
        item = items[index % len(items)]
        who = self._resolve(who, item)
        version = item.version - 1 if stale and item.version > 1 else item.version
        is_stale = version != item.version
        allowed = can(self._user(who), Action.EDIT_ITEM, item.subject())
        before = item.version
        response = self._request(
            who,
            "POST",
            f"/items/{item.id}/edit",
            data={"version": version, "code": item.code, "title": title, "priority": "2"},
        )
        after = db.session.get(WorkItem, item.id)
        if not allowed:
            assert response.status_code in (403, 404) and after.version == before
        elif is_stale:
            assert response.status_code == 409 and after.version == before
        else:
            assert response.status_code in (302, 303), response.status_code
            assert after.version == before + 1
            assert after.title == title.replace("\r\n", "\n").strip()
            self._count("item edited")
        self._count("stale edit refused", allowed and is_stale)

    @rule(who=actors_st, index=st.integers(0, 10), days=st.integers(1, 60))
    def ask_extension(self, who, index, days):
        items = self._items()
        item = items[index % len(items)]
        who = self._resolve(who, item)
        base = item.due_date or self.today
        self._request(
            who,
            "POST",
            f"/items/{item.id}/extensions",
            data={
                "requested_due_date": (base + timedelta(days=days)).isoformat(),
                "reason": "需要时间",
            },
        )

    @rule(who=actors_st, approve=st.booleans())
    def decide_extension(self, who, approve):
        pending = db.session.query(ExtensionRequest).filter_by(state="pending").first()
        if pending is None:
            return
        who = self._resolve(who, pending.item)
        self._request(
            who,
            "POST",
            f"/review/extensions/{pending.id}/decide",
            data={
                "decision": "approve" if approve else "refuse",
                "comment": "意见",
                "version": pending.item.version,
            },
        )
        if who not in ("office", "office2", "admin"):
            assert db.session.get(ExtensionRequest, pending.id).state == "pending"

    # ------------------------------------------------------------ rules: reports

    @rule(
        who=users_st,
        index=st.integers(0, 10),
        period=st.integers(0, 10),
        text=HOSTILE,
        progress=st.integers(-5, 105),
        submit=st.booleans(),
    )
    def write_report(self, who, index, period, text, progress, submit):
        items = self._items()
        item = items[index % len(items)]
        response = self._request(
            who,
            "POST",
            f"/items/{item.id}/report",
            data={
                # Newest first: only the last 8 started periods may be reported late
                # (tracker/items/report_window.py: LATE_REPORT_PERIODS); older ones are a 422.
                "period_id": self.periods[-1 - period % len(self.periods)],
                "narrative": text,
                "progress": str(progress),
                "action": "submit" if submit else "save",
            },
        )
        self._count("report written", response.status_code in (302, 303))
        self._count("submitted", submit and response.status_code in (302, 303))

    def _some_report(self, index: int) -> Report | None:
        reports = self._reports()
        return reports[index % len(reports)] if reports else None

    @precondition(lambda self: db.session.query(Report).count() > 0)
    @rule(
        who=users_st,
        index=st.integers(0, 20),
        stale=st.booleans(),
        text=HOSTILE,
        upload=st.booleans(),
    )
    def edit_report(self, who, index, stale, text, upload):
        report = self._some_report(index)
        version = report.version - 1 if stale and report.version > 1 else report.version
        data = {
            "version": version,
            "period_id": report.period_id,
            "narrative": text,
            "progress": "50",
        }
        if upload:
            data["files"] = [(io.BytesIO(PDF_BYTES), "../证明.pdf")]
        before = (report.version, report.state)
        response = self._request(
            who, "POST", f"/reports/{report.id}/edit", data=data, content_type="multipart/form-data"
        )
        after = db.session.get(Report, report.id)
        if version != before[0] or before[1] in ("submitted", "verified"):
            assert response.status_code in (403, 404, 409), response.status_code
            assert (after.version, after.state) == before
        self._count("report edited", after.version != before[0])
        self._count("evidence uploaded", upload and after.version != before[0])

    @precondition(lambda self: db.session.query(Report).count() > 0)
    @rule(who=actors_st, index=st.integers(0, 20))
    def submit_report(self, who, index):
        report = self._some_report(index)
        who = self._resolve(who, report.item)
        self._request(who, "POST", f"/reports/{report.id}/submit", data={"version": report.version})
        self._count("submitted", db.session.get(Report, report.id).state != report.state)

    @precondition(lambda self: db.session.query(Report).count() > 0)
    @rule(who=actors_st, index=st.integers(0, 20), verify=st.booleans(), stale=st.integers(0, 3))
    def review_report(self, who, index, verify, stale):
        stale = stale == 0  # a quarter of the reviews come from a page loaded earlier
        report = self._some_report(index)
        who = self._resolve(who, report.item)
        version = report.version - 1 if stale else report.version
        allowed = can(self._user(who), Action.VERIFY, report.item.subject(report.state))
        before = (report.version, report.state)
        url = f"/reports/{report.id}/{'verify' if verify else 'return'}"
        response = self._request(who, "POST", url, data={"version": version, "reason": "请补充"})
        after = db.session.get(Report, report.id)
        if allowed and not stale:
            assert response.status_code in (302, 303), response.status_code
            assert after.state == ("verified" if verify else "returned")
            self._count("verified" if verify else "returned")
        else:
            assert response.status_code in (403, 404, 409), response.status_code
            assert (after.version, after.state) == before

    # ------------------------------------------------------------ rules: reading, sessions

    @rule(who=users_st, index=st.integers(0, 20))
    def read(self, who, index):
        """Reading an item or a report answers 404 exactly when the user may not see it."""
        items = self._items()
        item = items[index % len(items)]
        user = self._user(who)
        visible = can(user, Action.VIEW, item.subject())
        status = self._request(who, "GET", f"/items/{item.id}").status_code
        assert status == (200 if visible else 404), (who, item.code, status)
        report = self._some_report(index)
        if report is not None:
            visible = can(user, Action.VIEW, report.item.subject(report.state))
            status = self._request(who, "GET", f"/reports/{report.id}").status_code
            assert status == (200 if visible else 404), (who, report.id, status)
            api = self._request(who, "GET", f"/api/v1/reports/{report.id}").status_code
            assert api == (200 if visible else 404), (who, report.id, api)
        listing = self._request(who, "GET", "/api/v1/items?per_page=100")
        for row in listing.json["items"]:
            item = db.session.get(WorkItem, row["id"])
            assert can(user, Action.VIEW, item.subject()), (who, row["code"])

    @rule(who=users_st, now=st.integers(0, 3))
    def logout_and_replay_the_cookie(self, who, now):
        if now:  # a quarter of the draws: logging out is cheap to test, rarer in life
            return
        captured = self.clients[who].get_cookie("session")
        assert self._request(who, "POST", "/logout").status_code == 302
        thief = self.app.test_client()
        thief.set_cookie("session", captured.value)
        response = thief.get("/items")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        self._count("cookie replay refused")
        db.session.expire_all()
        self._login(who)

    @rule(days=st.integers(0, 4))
    def scheduler_tick(self, days):
        from tracker.notify.dispatch import dispatch_pending
        from tracker.notify.jobs import digest, remind

        self.today += timedelta(days=days)
        with self.app.test_request_context():
            remind(self.today)
            db.session.commit()
            digest(self.today)
            db.session.commit()
            result = dispatch_pending(datetime.combine(self.today, time(12)))
            db.session.commit()
            self._count("mail sent", result.sent > 0)
            db.session.remove()

    # ------------------------------------------------------------ invariants

    @invariant()
    def states_follow_the_table_and_verified_reports_never_change(self):
        if not hasattr(self, "seen_states"):
            return
        db.session.expire_all()
        for report in self._reports():
            assert report.state in {s.value for s in ReviewState}
            previous = self.seen_states.get(report.id)
            if previous is not None and previous != report.state:
                # Several moves can happen in one request (save then submit); each is legal.
                assert (previous, report.state) in ALLOWED_MOVES or (
                    previous in ("draft", "returned") and report.state == "submitted"
                ), (previous, report.state)
            self.seen_states[report.id] = report.state
            if report.state == "verified":
                frozen = (
                    report.narrative,
                    report.progress,
                    report.completes,
                    report.version,
                    len(report.attachments),
                )
                assert self.verified.setdefault(report.id, frozen) == frozen

    @invariant()
    def every_change_has_its_audit_event(self):
        if not hasattr(self, "fingerprints"):
            return
        for item in self._items():
            fingerprint = self._item_fingerprint(item)
            audits = self._audit_count(item.id)
            if fingerprint != self.fingerprints.get(item.id):
                assert audits > self.audits.get(item.id, 0), (item.code, fingerprint)
            self.fingerprints[item.id] = fingerprint
            self.audits[item.id] = audits

    @invariant()
    def no_dedupe_key_is_sent_twice(self):
        from tracker.notify.transports import memory_box

        keys = [m["X-Tracker-Dedupe-Key"] for m in memory_box(self.app)]
        assert len(keys) == len(set(keys)), keys
        sent = db.session.query(OutboxMessage).filter_by(state="sent").count()
        assert sent == len(keys)

    def teardown(self):
        db.session.remove()


def test_stateful_workflow_keeps_its_invariants(app, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_TODAY", TODAY)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "memory")
    WorkflowMachine.app = app
    WorkflowMachine.happened = {}
    run_state_machine_as_test(
        WorkflowMachine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=os.environ.get("STATEFUL_RANDOM") != "1",
            suppress_health_check=list(HealthCheck),
            database=None,
            # Shrinking a failing run through the real app can take many minutes: report the
            # sequence as found (STATEFUL_SHRINK=1 to shrink it when investigating).
            phases=[p for p in Phase if p is not Phase.shrink or os.environ.get("STATEFUL_SHRINK")],
        ),
    )
    assert WorkflowMachine.happened  # what the random runs did, shown when it fails


def test_stateful_machine_scripted_run_reaches_every_kind_of_step(app, monkeypatch):
    """One fixed sequence through the same rules and invariants, so every path the random
    runs may or may not reach (upload, submit, verify, return, stale saves, replayed cookie,
    a scheduler tick that sends mail) is exercised on every run."""
    monkeypatch.setitem(app.config, "TRACKER_TODAY", TODAY)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "memory")
    WorkflowMachine.app = app
    WorkflowMachine.happened = {}
    machine = WorkflowMachine()
    machine.build_world()
    steps = [
        ("edit_report", {"who": "a1", "index": 0, "stale": False, "text": "进展", "upload": True}),
        ("edit_report", {"who": "a1", "index": 0, "stale": True, "text": "旧页", "upload": False}),
        ("submit_report", {"who": "a1", "index": 0}),
        ("review_report", {"who": "office", "index": 0, "verify": True, "stale": 1}),
        ("edit_report", {"who": "a1", "index": 0, "stale": False, "text": "改", "upload": True}),
        ("review_report", {"who": "office2", "index": 1, "verify": False, "stale": 1}),
        ("review_report", {"who": "office", "index": 1, "verify": True, "stale": 1}),
        (
            "write_report",
            {"who": "b1", "index": 1, "period": 1, "text": "=1+1", "progress": 30, "submit": True},
        ),
        ("edit_item", {"who": "office", "index": 0, "stale": False, "title": "<script>x"}),
        ("edit_item", {"who": "office2", "index": 0, "stale": True, "title": "晚了"}),
        ("edit_item", {"who": "a1", "index": 0, "stale": False, "title": "越权"}),
        ("create_item", {"who": "office", "lead": 0, "co": True}),
        ("create_item", {"who": "b2", "lead": 1, "co": False}),
        ("assign_item", {"who": "b1", "index": 0, "lead": 1, "co": False}),
        ("ask_extension", {"who": "a1", "index": 0, "days": 30}),
        ("decide_extension", {"who": "b1", "approve": True}),
        ("decide_extension", {"who": "office", "approve": True}),
        ("read", {"who": "b2", "index": 0}),
        ("read", {"who": "a2", "index": 1}),
        ("logout_and_replay_the_cookie", {"who": "a1", "now": 0}),
        ("scheduler_tick", {"days": 3}),
        ("scheduler_tick", {"days": 0}),
        ("read", {"who": "a1", "index": 0}),
    ]
    invariants = (
        machine.states_follow_the_table_and_verified_reports_never_change,
        machine.every_change_has_its_audit_event,
        machine.no_dedupe_key_is_sent_twice,
    )
    for name, arguments in steps:
        getattr(machine, name)(**arguments)
        for check in invariants:
            check()
    machine.teardown()
    wanted = {
        "item created",
        "item edited",
        "stale edit refused",
        "report written",
        "report edited",
        "evidence uploaded",
        "submitted",
        "verified",
        "returned",
        "cookie replay refused",
        "mail sent",
    }
    missing = wanted - set(WorkflowMachine.happened)
    assert not missing, f"{sorted(missing)} {WorkflowMachine.happened}"
