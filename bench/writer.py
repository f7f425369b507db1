"""A steady trickle of writes beside a page benchmark: `python -m bench.writer --database-url
URL --every 2 --seconds 60`.

Every `--every` seconds it moves one open item's progress by a point through the app's own
session and commits — as a liaison's report or an office decision would — so the data
generation changes (tracker/fragments.py) and every cached home and dashboard is rendered again
on its next request. Run it beside `python -m bench.run` to measure the pages with cache misses
at a known write rate, not only the cached reads. Prints how many writes it made.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from sqlalchemy import select


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--every", type=float, default=2.0, help="seconds between writes")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to keep writing")
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args(argv)

    from bench.dbload import absolute_url
    from bench.generate import make_app
    from tracker.extensions import db
    from tracker.item_predicates import open_clause
    from tracker.models import WorkItem

    app = make_app(absolute_url(args.database_url))
    chooser = random.Random(args.seed)  # noqa: S311 (which item to touch, not a secret)
    writes = 0
    with app.app_context():
        ids = db.session.scalars(select(WorkItem.id).where(open_clause())).all()
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            item = db.session.get(WorkItem, chooser.choice(ids))
            item.progress = item.progress + 1 if item.progress < 99 else item.progress - 1
            db.session.commit()
            writes += 1
            time.sleep(args.every)
    print(json.dumps({"writes": writes, "every": args.every, "seconds": args.seconds}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
