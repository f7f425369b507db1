"""Rows for one plan's work items: owners, due dates, reports in every state, their
revisions and audit events, extension requests, contributions, evidence and mail history."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bench.data import COVERAGE, FOCUS_STATES, PAST_STATES, Generator, PlanContext, _pick
from bench.shape import RETURN_REASONS
from tracker.schedule import default_start

logger = logging.getLogger(__name__)


@dataclass
class ItemPlan:
    """What one item will look like, decided before any row is written."""

    id: int
    code: str
    node: object
    lead: int | None
    co: list[int]
    status: str
    retired: bool
    due: date | None
    profile: str | None = None
    reports: int = 0
    last_period: int = 0  # index of the newest period with a report
    focus_state: str | None = None
    extension: bool = False
    extras: dict = field(default_factory=dict)


class ItemBuilder:
    def __init__(self, gen: Generator, ctx: PlanContext):
        self.gen, self.ctx, self.rng = gen, ctx, gen.rng
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.fifteenth = ctx.start_year >= 2026
        self.plan_created = datetime(ctx.start_year, 3, 1, 8, 0)

    # ------------------------------------------------------------ deciding

    def build(self, count: int) -> None:
        gen = self.gen
        ids = gen.ids("work_item", count)
        nodes = gen.template.assignable
        covered = self.ctx.index == gen.scale.plans - 1  # the dashboard's default plan
        plans = []
        for n, item_id in enumerate(ids):
            node = nodes[n % len(nodes)]
            split = n // len(nodes)
            code = node.code if split == 0 else f"{node.code}-{split + 1:02d}"
            profile = COVERAGE[n] if covered and n < len(COVERAGE) else None
            plans.append(self.decide(item_id, code, node, profile))
        self.assign_report_counts(plans)
        for item in plans:
            self.write_item(item)

    def decide(self, item_id: int, code: str, node, profile: str | None) -> ItemPlan:
        rng, gen, today = self.rng, self.gen, self.gen.today
        lead = gen.lead()
        if profile:
            lead = gen.bench_department
        if profile == "co_owned" and len(gen.departments) > 1:
            lead = gen.departments[1]
        co = []
        n_co = rng.choices((0, 1, 2, 3), (40, 30, 20, 10))[0]
        for _ in range(n_co):
            dept = gen.lead()
            if dept != lead and dept not in co:
                co.append(dept)
        if profile == "co_owned" and gen.bench_department not in co:
            co.append(gen.bench_department)
        if profile == "unowned":
            lead, co = None, []
        retired = profile is None and rng.random() < 0.02
        if profile == "completed":
            status = "completed"
        elif profile:
            status = "in_progress"
        else:
            status = _pick(
                rng,
                (("completed", 5), ("in_progress", 60), ("not_started", 35))
                if self.fifteenth
                else (("completed", 55), ("in_progress", 40), ("not_started", 5)),
            )
        if profile is None and status != "completed" and rng.random() < 0.01:
            lead, co = None, []  # waiting for the office to assign it
        plan_end = date(self.ctx.end_year, 12, 31)
        if status == "completed":
            first = date(self.ctx.start_year, 6, 30)
            last = min(today - timedelta(days=1), plan_end)
            due = first + timedelta(days=rng.randint(0, max(0, (last - first).days)))
        else:
            roll = rng.random()
            if profile == "overdue" or (profile is None and roll < 0.12):
                due = today - timedelta(days=rng.randint(1, 200))
            elif profile == "due_soon" or (profile is None and roll < 0.19):
                due = today + timedelta(days=rng.randint(0, 14))
            else:
                horizon = (plan_end - today).days if self.fifteenth else 400
                due = today + timedelta(days=rng.randint(15, max(16, horizon)))
        if profile is None and status != "completed" and rng.random() < 0.02:
            due = None
        item = ItemPlan(item_id, code, node, lead, co, status, retired, due, profile)
        if profile and profile.startswith("focus:"):
            item.focus_state = profile.split(":", 1)[1]
        item.extension = profile == "extension" or (
            profile is None and status != "completed" and lead is not None and rng.random() < 0.03
        )
        return item

    def assign_report_counts(self, plans: list[ItemPlan]) -> None:
        """How many periods each item reports for, meeting the plan's share of the target."""
        rng, ctx, gen = self.rng, self.ctx, self.gen
        focus = ctx.focus
        target = gen.report_targets[ctx.index] + getattr(gen, "report_deficit", 0)
        caps = {}
        for item in plans:
            if item.lead is None:
                caps[item.id] = 0
                continue
            if item.status == "completed":
                item.last_period = max(0, focus - rng.randint(1, 6))
                item.reports = rng.randint(2, 6)
            elif item.status == "not_started":
                item.last_period = focus
                item.reports = 1 if rng.random() < 0.3 else 0
                item.focus_state = item.focus_state or ("draft" if item.reports else None)
            else:
                missing = item.focus_state == "missing" or (
                    item.profile is None and rng.random() < 0.15
                )
                item.last_period = focus - 1 if missing and focus > 0 else focus
                item.reports = rng.randint(2, 7)
            if item.focus_state == "missing":
                item.focus_state = None
            caps[item.id] = item.last_period + 1 if item.status != "not_started" else 1
            item.reports = min(item.reports, caps[item.id])
            if item.profile:
                item.reports = max(item.reports, 1)
        total = sum(i.reports for i in plans)
        adjustable = [i for i in plans if i.status != "not_started" and caps[i.id] > 0]
        guard = 0
        while total != target and adjustable and guard < 20 * len(plans):
            guard += 1
            item = rng.choice(adjustable)
            if total < target and item.reports < caps[item.id]:
                item.reports += 1
                total += 1
            elif total > target and item.reports > 1:
                item.reports -= 1
                total -= 1
        gen.report_deficit = target - total

    # ------------------------------------------------------------ writing

    def write_item(self, item: ItemPlan) -> None:
        rng, gen, ctx = self.rng, self.gen, self.ctx
        node = item.node
        title = node.title or node.code
        if "-" in item.code:
            title = f"{title}（分解{item.code.rsplit('-', 1)[1]}）"
        completed_at = None
        if item.status == "completed":
            completed_at = gen.at(item.due - timedelta(days=rng.randint(0, 60)))
        original_due = item.due
        if item.due and rng.random() < 0.05:
            original_due = item.due - timedelta(days=90)
        reports = self.write_reports(item)
        verified = [r for r in reports if r["state"] == "verified"]
        progress = verified[-1]["progress"] if verified else 0
        if item.status == "completed":
            progress = 100
        self.rows["work_item"].append(
            {
                "id": item.id,
                "plan_id": ctx.id,
                "source_node_id": ctx.node_ids[node.index],
                "section_node_id": ctx.node_ids[node.section_index]
                if node.section_index is not None
                else None,
                "code": item.code,
                "title": title[:300],
                "description": (node.text[:300] + "\n" + gen.text(2, 4)).strip(),
                "deliverable": gen.text(1, 2),
                "lead_department_id": item.lead,
                # The default of create_item: plan start or creation, whichever is later.
                "start_date": default_start(ctx.start_year, self.plan_created.date(), item.due),
                "due_date": item.due,
                "original_due_date": original_due,
                "priority": rng.choice((1, 2, 2, 3)),
                "indicator_id": rng.choice(ctx.indicator_ids) if rng.random() < 0.05 else None,
                "status": item.status,
                "progress": progress,
                "completed_at": completed_at,
                "retired_at": gen.now - timedelta(days=rng.randint(1, 200))
                if item.retired
                else None,
                "is_demo": False,
                "version": 1 + len(verified),
                "created_at": self.plan_created,
                "updated_at": gen.now - timedelta(days=rng.randint(0, 60)),
            }
        )
        for dept in item.co:
            self.rows["item_co_department"].append({"item_id": item.id, "department_id": dept})
        self.event(
            "item.created",
            "workitem",
            item.id,
            item.id,
            self.plan_created,
            gen.office_ids[0],
            after={"code": item.code, "lead": item.lead},
        )
        if completed_at:
            self.event(
                "item.completed",
                "workitem",
                item.id,
                item.id,
                completed_at,
                rng.choice(gen.office_ids),
                after={"status": "completed", "progress": 100},
            )
        if item.extension:
            self.write_extension(item)
        if item.co and rng.random() < 0.12:
            self.write_contributions(item)
        if item.status != "completed" and item.due and item.lead and rng.random() < 0.3:
            self.write_outbox_history(item)

    def write_reports(self, item: ItemPlan) -> list[dict]:
        rng, gen, ctx = self.rng, self.gen, self.ctx
        if not item.reports or item.lead is None:
            return []
        first = item.last_period - item.reports + 1
        authors = gen.liaisons.get(item.lead) or gen.liaison_ids
        final_progress = rng.randint(20, 95)
        written = []
        ids = gen.ids("report", item.reports)
        for step, (report_id, index) in enumerate(
            zip(ids, range(first, item.last_period + 1), strict=True)
        ):
            period = ctx.periods[index]
            last = index == item.last_period
            if item.status == "completed":
                state = "verified"
            elif index == ctx.focus:
                state = item.focus_state or (
                    "draft" if item.status == "not_started" else _pick(rng, FOCUS_STATES)
                )
            else:
                state = _pick(rng, PAST_STATES)
            if item.status == "completed":
                progress = 100 if last else round(100 * (step + 1) / (item.reports + 1))
            elif item.status == "not_started":
                progress = 0
            else:
                progress = round(final_progress * (step + 1) / item.reports)
            created = min(
                gen.now - timedelta(hours=2),
                gen.at(period.end - timedelta(days=rng.randint(0, 20))),
            )
            created = max(created, gen.at(period.start))
            submitted = min(
                gen.now - timedelta(hours=1), created + timedelta(days=rng.randint(0, 6), hours=1)
            )
            reviewed = min(gen.now, submitted + timedelta(days=rng.randint(1, 6)))
            revisions = self.revisions_for(state)
            author = rng.choice(authors)
            reviewer = rng.choice(gen.office_ids) if state in ("verified", "returned") else None
            row = {
                "id": report_id,
                "item_id": item.id,
                "period_id": period.id,
                "state": state,
                "narrative": gen.text(3, 8),
                "progress": progress,
                "completes": item.status == "completed" and last,
                "author_id": author,
                "submitted_at": submitted if state != "draft" else None,
                "reviewer_id": reviewer,
                "reviewed_at": reviewed if reviewer else None,
                "review_comment": rng.choice(RETURN_REASONS) if state == "returned" else None,
                "on_behalf": False,
                "is_demo": False,
                "version": 1 + 2 * len(revisions),
                "created_at": created,
                "updated_at": reviewed if reviewer else submitted if state != "draft" else created,
            }
            self.rows["report"].append(row)
            written.append(row)
            self.event(
                "report.created",
                "report",
                report_id,
                item.id,
                created,
                author,
                after={"period": period.label, "progress": progress},
            )
            for number, outcome in enumerate(revisions, start=1):
                at = submitted - timedelta(days=len(revisions) - number)
                self.rows["report_revision"].append(
                    {
                        "id": gen.ids("report_revision")[0],
                        "report_id": report_id,
                        "number": number,
                        "narrative": row["narrative"],
                        "progress": progress,
                        "completes": row["completes"],
                        "submitted_at": at,
                        "submitted_by_id": author,
                        "outcome": outcome,
                        "review_comment": rng.choice(RETURN_REASONS)
                        if outcome == "returned"
                        else None,
                        "reviewer_id": rng.choice(gen.office_ids) if outcome else None,
                        "reviewed_at": at + timedelta(hours=20) if outcome else None,
                    }
                )
                self.event(
                    "report.submitted",
                    "report",
                    report_id,
                    item.id,
                    at,
                    author,
                    before={"state": "draft"},
                    after={"state": "submitted", "revision": number},
                )
                if outcome:
                    self.event(
                        f"report.{outcome}",
                        "report",
                        report_id,
                        item.id,
                        at + timedelta(hours=20),
                        reviewer or gen.office_ids[0],
                        before={"state": "submitted"},
                        after={"state": outcome},
                        comment=row["review_comment"] if outcome == "returned" else None,
                    )
            if state != "draft" and rng.random() < 0.2:
                self.rows["attachment"].append(
                    {
                        "id": gen.ids("attachment")[0],
                        "item_id": item.id,
                        "report_id": report_id,
                        "original_name": f"{period.label}佐证材料.pdf",
                        "stored_name": f"{rng.getrandbits(128):032x}",
                        "content_type": "application/pdf",
                        "size": rng.randint(20_000, 4_000_000),
                        "sha256": f"{rng.getrandbits(256):064x}",
                        "uploaded_by_id": author,
                        "created_at": created,
                    }
                )
        return written

    def revisions_for(self, state: str) -> list[str | None]:
        """Outcomes of each submission: a report verified after one return has two."""
        returned_first = self.rng.random() < 0.1
        if state == "draft":
            return []
        if state == "returned":
            return ["returned"]
        if state == "submitted":
            return ["returned", None] if returned_first else [None]
        return ["returned", "verified"] if returned_first else ["verified"]

    def event(
        self,
        action,
        object_type,
        object_id,
        item_id,
        at,
        actor,
        *,
        before=None,
        after=None,
        comment=None,
    ) -> None:
        self.rows["audit_event"].append(
            {
                "id": self.gen.ids("audit_event")[0],
                "at": at,
                "actor_id": actor,
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "item_id": item_id,
                "before": before,
                "after": after,
                "comment": comment,
            }
        )

    def write_extension(self, item: ItemPlan) -> None:
        rng, gen = self.rng, self.gen
        state = (
            "pending"
            if item.profile == "extension"
            else _pick(rng, (("pending", 40), ("approved", 40), ("refused", 20)))
        )
        requester = rng.choice(gen.liaisons.get(item.lead) or gen.liaison_ids)
        created = gen.now - timedelta(days=rng.randint(1, 40))
        wanted = (item.due or gen.today) + timedelta(days=rng.choice((30, 60, 90)))
        decided = state != "pending"
        request_id = gen.ids("extension_request")[0]
        self.rows["extension_request"].append(
            {
                "id": request_id,
                "item_id": item.id,
                "requested_by_id": requester,
                "reason": gen.text(1, 3),
                "previous_due_date": item.due,
                "requested_due_date": wanted,
                "state": state,
                "decided_by_id": rng.choice(gen.office_ids) if decided else None,
                "decided_at": created + timedelta(days=2) if decided else None,
                "decision_comment": gen.text(1, 1) if decided else None,
                "created_at": created,
            }
        )
        self.event(
            "extension.requested",
            "extensionrequest",
            request_id,
            item.id,
            created,
            requester,
            after={"requested_due_date": wanted.isoformat()},
        )

    def write_contributions(self, item: ItemPlan) -> None:
        rng, gen = self.rng, self.gen
        for _ in range(rng.randint(1, 2)):
            dept = rng.choice(item.co)
            author = rng.choice(gen.liaisons.get(dept) or gen.liaison_ids)
            at = gen.now - timedelta(days=rng.randint(1, 120))
            contribution_id = gen.ids("contribution")[0]
            self.rows["contribution"].append(
                {
                    "id": contribution_id,
                    "item_id": item.id,
                    "department_id": dept,
                    "author_id": author,
                    "body": gen.text(2, 5),
                    "created_at": at,
                }
            )
            self.event(
                "contribution.added",
                "contribution",
                contribution_id,
                item.id,
                at,
                author,
                after={"department_id": dept},
            )

    def write_outbox_history(self, item: ItemPlan) -> None:
        rng, gen = self.rng, self.gen
        old_due = item.due - timedelta(days=400 + rng.randint(0, 300))
        sent = gen.now - timedelta(days=rng.randint(7, 300))
        self.rows["outbox_message"].append(
            {
                "id": gen.ids("outbox_message")[0],
                "dedupe_key": f"remind:item:{item.id}:{old_due.isoformat()}:7d",
                "kind": "reminder",
                "channel": "mail",
                "to_addrs": [f"liaison{item.lead}@bench.example"],
                "cc_addrs": [],
                "department_id": item.lead,
                "item_codes": [item.code],
                "subject": f"【督办提醒】{item.code} 将于 7 个工作日后到期",
                "body_text": gen.text(3, 6),
                "body_html": f"<p>{gen.text(3, 6)}</p>",
                "state": "sent",
                "attempts": 1,
                "last_error": None,
                "next_attempt_at": sent,
                "created_at": sent,
                "sent_at": sent + timedelta(minutes=1),
            }
        )
