"""`make run`: the development server with the scheduler in the same process."""

from __future__ import annotations

import argparse
import logging

from tracker import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = create_app("development")
    if app.config.get("SCHEDULER_ENABLED"):
        from tracker.scheduler.runner import start_background

        start_background(app)
    print(f"规划督办 Plan Tracker: http://{args.host}:{args.port}/  (Ctrl+C to stop)", flush=True)
    # No reloader: it would start a second process and a second scheduler.
    app.run(host=args.host, port=args.port, debug=False, use_reloader=False, threaded=True)


if __name__ == "__main__":
    main()
