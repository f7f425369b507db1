"""The list of area blueprints (plans, items, review, …), so adding one touches one line."""


def area_blueprints() -> list:
    """Every area blueprint beyond auth, main, admin and vendor, in registration order."""
    from tracker.api import bp as api_bp
    from tracker.api import tokens_bp as api_tokens_bp
    from tracker.bulletins import bp as bulletins_bp
    from tracker.calendar_feed import bp as calendar_bp
    from tracker.dashboard import bp as dashboard_bp
    from tracker.holidays import bp as holidays_bp
    from tracker.indicators import bp as indicators_bp
    from tracker.items import bp as items_bp
    from tracker.notify import bp as notify_bp
    from tracker.plans import bp as plans_bp
    from tracker.review import bp as review_bp
    from tracker.spreadsheets import bp as spreadsheets_bp

    return [
        plans_bp,
        notify_bp,
        indicators_bp,
        items_bp,
        review_bp,
        dashboard_bp,
        spreadsheets_bp,
        bulletins_bp,
        calendar_bp,
        api_bp,
        api_tokens_bp,
        holidays_bp,
    ]


def area_commands() -> list:
    """Every area's CLI group (plan, notify, scheduler, …)."""
    from tracker.backup.cli import backup_cli
    from tracker.holidays.cli import holidays_cli
    from tracker.items.cli import items_cli
    from tracker.notify.cli import notify_cli
    from tracker.plans.cli import plan_cli
    from tracker.scheduler.cli import scheduler_command

    return [plan_cli, notify_cli, scheduler_command, items_cli, backup_cli, holidays_cli]
