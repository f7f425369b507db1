"""A plan whose items show every schedule light (序时进度) on 2026-11-27, for the roll-up tests.

Start 2026-01-01 unless said; 330 of 364 days to 2026-12-31 have passed (linear 90), 330 of
729 to 2027-12-31 (linear 45). Lights, by the rule in tracker/schedule.py:

| key       | lead | section | source     | due        | verified | light  | why                  |
|-----------|------|---------|------------|------------|----------|--------|----------------------|
| far       | fgw  | (一)    | 三.1       | 2026-12-31 | 20       | red    | lag 70               |
| behind    | fgw  | (一)    | 专栏1.(1)  | 2027-12-31 | 30       | yellow | lag 15               |
| overdue   | jxj  | (一)    | 三.1       | 2026-11-01 | 95       | red    | open past its due    |
| done      | fgw  | (一)    | 三.1       | 2026-10-01 | —        | done   | completed            |
| fine      | jxj  | (二)    | 三.2       | 2027-12-31 | 40       | green  | lag 5                |
| new       | jxj  | (二)    | 三.2       | 2027-06-30 | —        | grey   | started 2026-11-01   |
| staged    | fgw  | (二)    | 三.2       | 2027-06-30 | —        | yellow | 70 due, 40 reached   |
"""

from __future__ import annotations

from datetime import date, datetime

from tests.dashboard_support import make_item, make_period, make_plan, make_report
from tracker.extensions import db
from tracker.models import Milestone, MilestonePlan

TODAY = date(2026, 11, 27)
START = date(2026, 1, 1)


def add_milestones(item, steps, state="verified"):
    """A milestone plan in `state` with (title, planned date, weight, milestone state) steps."""
    plan = MilestonePlan(item_id=item.id, state=state)
    db.session.add(plan)
    db.session.flush()
    rows = []
    for position, (title, planned, weight, reached) in enumerate(steps):
        row = Milestone(
            plan_id=plan.id,
            item_id=item.id,
            position=position,
            title=title,
            planned_date=planned,
            weight=weight,
            state=reached,
        )
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return plan, rows


def schedule_world(factories):
    fgw = factories.department("市发改委")
    jxj = factories.department("市经信局")
    office = factories.department(
        "市质量强市办", kind="office", name="绍兴市质量强市和标准化战略领导小组办公室"
    )
    plan, nodes = make_plan()
    one, two = nodes["三.(一)"], nodes["三.(二)"]
    period = make_period(plan, "2026Q3", date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 13))

    def item(code, lead, section, source, due, progress=0, start=START, **fields):
        row = make_item(
            plan,
            code,
            lead,
            section=section,
            source=nodes[source],
            due=due,
            start_date=start,
            progress=progress,
            **fields,
        )
        if progress:
            make_report(row, period, "verified", progress=progress)
        return row

    items = {
        "far": item("三.1.(1)", fgw, one, "三.1", date(2026, 12, 31), 20),
        "behind": item("三.1.(2)", fgw, one, "专栏1.(1)", date(2027, 12, 31), 30),
        "overdue": item("三.1.(3)", jxj, one, "三.1", date(2026, 11, 1), 95),
        "done": item(
            "三.1.(4)",
            fgw,
            one,
            "三.1",
            date(2026, 10, 1),
            status="completed",
            completed_at=datetime(2026, 9, 30),
        ),
        "fine": item("三.2.(1)", jxj, two, "三.2", date(2027, 12, 31), 40),
        "new": item("三.2.(2)", jxj, two, "三.2", date(2027, 6, 30), start=date(2026, 11, 1)),
        "staged": item("三.2.(3)", fgw, two, "三.2", date(2027, 6, 30)),
    }
    _plan, milestones = add_milestones(
        items["staged"],
        [
            ("完成方案编制", date(2026, 6, 30), 40, "verified"),
            ("完成主体建设", date(2026, 10, 31), 30, "draft"),
            ("竣工验收", date(2027, 6, 30), 30, "draft"),
        ],
    )
    return dict(
        plan=plan,
        nodes=nodes,
        period=period,
        fgw=fgw,
        jxj=jxj,
        office=office,
        items=items,
        milestones=milestones,
    )
