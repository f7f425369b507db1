"""Deterministic rows for every table, shaped like real use (pure: no database access).

`Generator` hands out batches of dicts, table by table, in foreign-key order; ids are
assigned here (from the `first_ids` the caller read from the database), so rows can be
written with plain set-based INSERTs or COPY and refer to each other without RETURNING.

Shape (per item): a lead department drawn from a skewed distribution (a few departments
lead most items, as 市场监管局 does in a quality plan), 0–3 co-departments, a due date that
is overdue for ~12 % of open items and due within 14 days for ~7 %, and quarterly reports
for the last few periods — older ones mostly verified, the current one in every state or
missing. Reports carry revisions and audit events; some items have extension requests,
contributions and evidence rows; liaisons have notices; the outbox has sent history.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bench.shape import PHRASES, RETURN_REASONS, TOPICS, department_names, plan_template
from bench.sizes import BENCH_API_TOKEN, Scale

logger = logging.getLogger(__name__)

# Tables the generator writes, in foreign-key order.
TABLES = (
    "department",
    "department_alias",
    "user_account",
    "api_token",
    "plan",
    "plan_node",
    "indicator",
    "indicator_value",
    "reporting_period",
    "work_item",
    "item_co_department",
    "report",
    "report_revision",
    "contribution",
    "attachment",
    "extension_request",
    "coordination_request",
    "audit_event",
    "outbox_message",
    "notice",
)
ID_TABLES = tuple(t for t in TABLES if t != "item_co_department")

FOCUS_STATES = (("draft", 20), ("submitted", 35), ("returned", 10), ("verified", 35))
PAST_STATES = (("verified", 94), ("submitted", 3), ("returned", 2), ("draft", 1))
# The first items of the busiest department get one of each of these, so every page has
# something in every list at every size (the query-count tests depend on it).
COVERAGE = (
    "overdue",
    "due_soon",
    "focus:draft",
    "focus:submitted",
    "focus:returned",
    "focus:verified",
    "focus:missing",
    "completed",
    "extension",
    "co_owned",
    "unowned",
)


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


@dataclass
class Period:
    id: int
    label: str
    start: date
    end: date
    deadline: date


@dataclass
class PlanContext:
    id: int
    index: int
    start_year: int
    end_year: int
    periods: list[Period]
    focus: int  # index into periods of the period in focus today
    node_ids: dict[int, int]  # template index → node id
    indicator_ids: list[int]


@dataclass
class Generator:
    """Call `batches()` and write each (table, rows) as it comes, in order."""

    scale: Scale
    today: date
    password_hash: str
    first_ids: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        self.rng = random.Random(self.scale.seed)
        self.now = datetime.combine(self.today, time(2, 0))
        self._next = {t: self.first_ids.get(t, 1) for t in ID_TABLES}
        self.template = plan_template()
        self._deadlines: dict[date, date] = {}

    # ------------------------------------------------------------ helpers

    def ids(self, table: str, n: int = 1) -> range:
        start = self._next[table]
        self._next[table] = start + n
        return range(start, start + n)

    def at(self, day: date, hour: int = 10) -> datetime:
        return datetime.combine(day, time(hour % 24, self.rng.randrange(60)))

    def text(self, low: int = 3, high: int = 7) -> str:
        return "；".join(self.rng.sample(PHRASES, self.rng.randint(low, high))) + "。"

    def deadline(self, period_end: date) -> date:
        if period_end not in self._deadlines:
            from tracker.periods import report_deadline

            self._deadlines[period_end] = report_deadline(period_end)
        return self._deadlines[period_end]

    def _emit(self, table: str, rows: list[dict]) -> tuple[str, list[dict]]:
        self.counts[table] = self.counts.get(table, 0) + len(rows)
        return table, rows

    # ------------------------------------------------------------ the whole database

    def batches(self) -> Iterator[tuple[str, list[dict]]]:
        yield from self.organisation()
        plans = self.scale.plans
        per_plan = [
            self.scale.items // plans + (1 if p < self.scale.items % plans else 0)
            for p in range(plans)
        ]
        # Items of the 15th plans (started 2026) have at most four quarters to report on:
        # give them about three reports each and the 14th plans the rest of the target.
        fifteenth = [self.is_fifteenth(p) for p in range(plans)]
        young = sum(c for c, f in zip(per_plan, fifteenth, strict=True) if f)
        young_reports = min(self.scale.reports * young / self.scale.items, 3.0 * young)
        old = self.scale.items - young
        per_old = (self.scale.reports - young_reports) / old if old else 0.0
        self.report_targets = [
            round(count * (young_reports / young if f else per_old)) if count else 0
            for count, f in zip(per_plan, fifteenth, strict=True)
        ]
        for index, count in enumerate(per_plan):
            yield from self.plan(index, count)
        yield from self.notices()

    # ------------------------------------------------------------ departments and users

    def organisation(self) -> Iterator[tuple[str, list[dict]]]:
        scale, rng = self.scale, self.rng
        names = department_names(max(2, scale.departments))
        dept_ids = list(self.ids("department", len(names)))
        self.office_department = dept_ids[0]
        self.departments = dept_ids[1:]
        # Zipf-like: the department ranked k leads about 1/k^0.8 as much as the first.
        self.weights = [1 / (k**0.8) for k in range(1, len(self.departments) + 1)]
        created = self.now - timedelta(days=800)
        yield self._emit(
            "department",
            [
                {
                    "id": i,
                    "name": name,
                    "short_name": short,
                    "kind": kind,
                    "is_office": kind == "office",
                    "active": True,
                    "head_email": f"head{n}@bench.example" if n % 5 == 0 else None,
                    "created_at": created,
                    "updated_at": created,
                }
                for n, (i, (name, short, kind)) in enumerate(zip(dept_ids, names, strict=True))
            ],
        )
        aliases = []
        for n, (i, (name, _short, _kind)) in enumerate(zip(dept_ids, names, strict=True)):
            if n % 3 == 1:
                aliases.append({"department_id": i, "alias": name.replace("绍兴", "绍兴市属")})
        for row, alias_id in zip(aliases, self.ids("department_alias", len(aliases)), strict=True):
            row["id"] = alias_id
        yield self._emit("department_alias", aliases)

        users = []

        def add(username, role, department_id, **extra):
            users.append(
                {
                    "id": self.ids("user_account")[0],
                    "username": username,
                    "name": extra.pop("name", username),
                    "email": f"{username}@bench.example",
                    "role": role,
                    "department_id": department_id,
                    "active": extra.pop("active", True),
                    "locale": "zh_Hans_CN",
                    "password_hash": self.password_hash,
                    "must_change_password": False,
                    "failed_logins": 0,
                    "session_generation": 1,
                    "digest_opt_out": extra.pop("digest_opt_out", False),
                    "created_at": created,
                    "updated_at": created,
                }
            )
            return users[-1]["id"]

        self.admin_id = add("bench-admin", "admin", self.office_department, name="系统管理员")
        office_count = max(2, min(12, scale.users // 150))
        self.office_ids = [
            add(
                "bench-office" if k == 0 else f"bench-office-{k + 1}",
                "office",
                self.office_department,
                name=f"督办室审核员{k + 1}",
            )
            for k in range(office_count)
        ]
        leaders = max(1, scale.users // 100)
        for k in range(leaders):
            dept = self.office_department if k == 0 else rng.choice(self.departments)
            add("bench-leader" if k == 0 else f"bench-leader-{k + 1}", "leader", dept)
        self.liaisons: dict[int, list[int]] = {d: [] for d in self.departments}
        remaining = max(len(self.departments), scale.users - len(users))
        # Every department gets one liaison; the rest go to the busier departments.
        extra = rng.choices(self.departments, self.weights, k=remaining - len(self.departments))
        for rank, dept in enumerate(self.departments + extra):
            k = len(self.liaisons[dept]) + 1
            uid = add(
                f"liaison-d{self.departments.index(dept) + 1:04d}-{k}",
                "liaison",
                dept,
                name=f"联络员{rank + 1}",
                digest_opt_out=rng.random() < 0.05,
                active=k == 1 or rng.random() > 0.03,
            )
            self.liaisons[dept].append(uid)
        self.liaison_ids = [u["id"] for u in users if u["role"] == "liaison"]
        yield self._emit("user_account", users)
        token_id = self.ids("api_token")[0]
        yield self._emit(
            "api_token",
            [
                {
                    "id": token_id,
                    "user_id": self.office_ids[0],
                    "name": "bench",
                    "token_hash": hashlib.sha256(BENCH_API_TOKEN.encode()).hexdigest(),
                    "created_at": created,
                }
            ],
        )

    @property
    def bench_department(self) -> int:
        """The busiest department (most led items): the liaison home's worst case."""
        return self.departments[0]

    def lead(self) -> int:
        return self.rng.choices(self.departments, self.weights)[0]

    # ------------------------------------------------------------ one plan

    def is_fifteenth(self, index: int) -> bool:
        """Two in three plans are the 14th five-year plans still being finished; the rest,
        and always the newest (the dashboard's default), are the 15th (2026–2030)."""
        return index % 3 == 0 or index == self.scale.plans - 1

    def plan(self, index: int, item_count: int) -> Iterator[tuple[str, list[dict]]]:
        rng, template = self.rng, self.template
        fifteenth = self.is_fifteenth(index)
        start, end = (2026, 2030) if fifteenth else (2021, 2025)
        plan_id = self.ids("plan")[0]
        topic = TOPICS[index % len(TOPICS)]
        round_no = index // len(TOPICS)
        title = f"绍兴市{topic}“十{'五' if fifteenth else '四'}五”规划" + (
            f"（第{round_no + 1}批）" if round_no else ""
        )
        source = f"{title}\n{template.source_text}"
        created = datetime(start, 3, 1, 8, 0)
        yield self._emit(
            "plan",
            [
                {
                    "id": plan_id,
                    "title": title,
                    "doc_number": f"绍政发〔{start}〕{10 + index}号",
                    "start_year": start,
                    "end_year": end,
                    "status": "active",
                    "frequency": "quarterly",
                    "report_deadline_working_days": 5,
                    "source_text": source,
                    "source_sha256": hashlib.sha256(source.encode()).hexdigest(),
                    "imported_by_id": self.office_ids[0],
                    "created_at": created,
                    "updated_at": created,
                }
            ],
        )
        node_ids = dict(
            zip(
                (n.index for n in template.nodes),
                self.ids("plan_node", len(template.nodes)),
                strict=True,
            )
        )
        yield self._emit(
            "plan_node",
            [
                {
                    "id": node_ids[n.index],
                    "plan_id": plan_id,
                    "parent_id": node_ids[n.parent_index] if n.parent_index is not None else None,
                    "kind": n.kind,
                    "number": n.number,
                    "title": n.title,
                    "text": n.text,
                    "code": n.code,
                    "depth": n.depth,
                    "position": n.index,
                }
                for n in template.nodes
            ],
        )
        indicator_ids = list(self.ids("indicator", len(template.indicators)))
        yield self._emit(
            "indicator",
            [
                {
                    "id": iid,
                    "plan_id": plan_id,
                    "number": ind.number,
                    "category": ind.category,
                    "name": ind.name,
                    "unit": ind.unit,
                    "baseline": ind.baseline,
                    "baseline_text": ind.baseline_text,
                    "target": ind.target,
                    "target_text": ind.target_text,
                    "attribute": ind.attribute,
                    "cumulative": ind.cumulative,
                    "kind": ind.kind,
                    "department_id": self.lead() if rng.random() < 0.95 else None,
                    "version": 1,
                    "created_at": created,
                    "updated_at": created,
                }
                for iid, ind in zip(indicator_ids, template.indicators, strict=True)
            ],
        )
        yield self._emit("indicator_value", self.indicator_values(indicator_ids, start, end))
        periods = self.periods(start)
        focus = next(k for k, p in enumerate(periods) if p.start <= self.today <= p.deadline)
        yield self._emit(
            "reporting_period",
            [
                {
                    "id": p.id,
                    "plan_id": plan_id,
                    "label": p.label,
                    "start_date": p.start,
                    "end_date": p.end,
                    "deadline": p.deadline,
                }
                for p in periods
            ],
        )
        ctx = PlanContext(plan_id, index, start, end, periods, focus, node_ids, indicator_ids)
        yield from self.work(ctx, item_count)

    def periods(self, start_year: int) -> list[Period]:
        from tracker.periods import periods_between

        spans = periods_between(date(start_year, 1, 1), self.today)
        ids = self.ids("reporting_period", len(spans))
        return [
            Period(pid, s.label, s.start, s.end, self.deadline(s.end))
            for pid, s in zip(ids, spans, strict=True)
        ]

    def indicator_values(self, indicator_ids, start: int, end: int) -> list[dict]:
        rng, rows = self.rng, []
        last_year = min(end, self.today.year)
        for iid in indicator_ids:
            for year in range(start, last_year + 1):
                current = year == self.today.year
                state = _pick(rng, FOCUS_STATES) if current else "verified"
                value = round(rng.uniform(60, 100), 2)
                when = self.at(date(year + (0 if current else 1), 1 if not current else 10, 20))
                rows.append(
                    {
                        "id": self.ids("indicator_value")[0],
                        "indicator_id": iid,
                        "year": year,
                        "value_text": str(value),
                        "value_number": value,
                        "note": self.text(1, 2),
                        "state": state,
                        "author_id": rng.choice(self.liaison_ids),
                        "submitted_at": when if state != "draft" else None,
                        "reviewer_id": rng.choice(self.office_ids)
                        if state
                        in (
                            "verified",
                            "returned",
                        )
                        else None,
                        "reviewed_at": when + timedelta(days=3)
                        if state in ("verified", "returned")
                        else None,
                        "review_comment": rng.choice(RETURN_REASONS)
                        if state == "returned"
                        else None,
                        "is_demo": False,
                        "version": 1,
                        "created_at": when - timedelta(days=5),
                        "updated_at": when,
                    }
                )
        return rows

    # ------------------------------------------------------------ items and their reports

    def work(self, ctx: PlanContext, item_count: int) -> Iterator[tuple[str, list[dict]]]:
        from bench.items import ItemBuilder

        builder = ItemBuilder(self, ctx)
        builder.build(item_count)
        leads = {row["id"]: row["lead_department_id"] for row in builder.rows["work_item"]}
        builder.rows["coordination_request"] = self.coordination(builder.rows["report"], leads)
        for table in (
            "work_item",
            "item_co_department",
            "report",
            "report_revision",
            "contribution",
            "attachment",
            "extension_request",
            "coordination_request",
            "audit_event",
            "outbox_message",
        ):
            rows = builder.rows[table]
            for chunk_start in range(0, len(rows), 20_000):
                yield self._emit(table, rows[chunk_start : chunk_start + 20_000])

    def coordination(self, reports: list[dict], leads: dict[int, int]) -> list[dict]:
        """Every fourth verified report asked for coordination (需协调事项); half of those
        requests are resolved. Chosen by id, not by the random stream, so the rest of the
        data set stays as it was."""
        rows = []
        for report in reports:
            report["support_needed"] = ""  # every row names the same columns (COPY)
            if report["state"] != "verified" or report["id"] % 4:
                continue
            report["support_needed"] = "请市级层面协调用地指标和资金。"
            resolved = report["id"] % 8 == 0
            rows.append(
                {
                    "id": self.ids("coordination_request")[0],
                    "item_id": report["item_id"],
                    "report_id": report["id"],
                    "department_id": leads[report["item_id"]],
                    "text": report["support_needed"],
                    "state": "resolved" if resolved else "open",
                    "resolution": "已协调解决。" if resolved else None,
                    "resolved_by_id": report["reviewer_id"] if resolved else None,
                    "resolved_at": report["reviewed_at"] if resolved else None,
                    "created_at": report["reviewed_at"] or self.now,
                }
            )
        return rows

    # ------------------------------------------------------------ notices

    def notices(self) -> Iterator[tuple[str, list[dict]]]:
        rng, rows = self.rng, []
        kinds = ("report_returned", "report_verified", "item_assigned", "contribution_added")
        for uid in self.liaison_ids:
            for k in range(3):
                at = self.now - timedelta(days=rng.randint(0, 90))
                rows.append(
                    {
                        "id": self.ids("notice")[0],
                        "user_id": uid,
                        "kind": kinds[(uid + k) % len(kinds)],
                        "params": {
                            "code": "三.1.(1)",
                            "period": "2026Q3",
                            "reason": "请补充材料",
                            "title": "示例",
                            "department": "市发改委",
                        },
                        "link": None,
                        "created_at": at,
                        "read_at": at + timedelta(hours=5) if k else None,
                    }
                )
            if len(rows) >= 20_000:
                yield self._emit("notice", rows)
                rows = []
        if rows:
            yield self._emit("notice", rows)
