"""The list of blueprints and CLI groups, so adding an area touches one line here.

An area package defines only its `bp`; its route modules attach their views to it when they
are imported, which happens here (the package importing its own routes would be an import
cycle: routes need `bp` from the package).
"""


def core_blueprints() -> list:
    """Static assets, log-in, home and administration: registered before the areas."""
    from tracker.admin import bp as admin_bp
    from tracker.admin import routes as admin_routes
    from tracker.auth import bp as auth_bp
    from tracker.auth import routes as auth_routes
    from tracker.main import bp as main_bp
    from tracker.main import routes as main_routes
    from tracker.vendor import bp as vendor_bp

    _views(admin_routes, auth_routes, main_routes)
    return [vendor_bp, auth_bp, main_bp, admin_bp]


def area_blueprints() -> list:
    """Every area blueprint beyond auth, main, admin and vendor, in registration order."""
    from tracker.api import auth as api_auth
    from tracker.api import bp as api_bp
    from tracker.api import openapi as api_openapi
    from tracker.api import routes_coordination as api_coordination
    from tracker.api import routes_indicators as api_indicators
    from tracker.api import routes_instructions as api_instructions
    from tracker.api import routes_items as api_items
    from tracker.api import routes_letters as api_letters
    from tracker.api import routes_milestones as api_milestones
    from tracker.api import routes_org as api_org
    from tracker.api import routes_plans as api_plans
    from tracker.api import routes_reports as api_reports
    from tracker.api import routes_signoff as api_signoff
    from tracker.api.token_routes import tokens_bp as api_tokens_bp
    from tracker.assessment import bp as assessment_bp
    from tracker.assessment import routes as assessment_routes
    from tracker.assessment import rules_routes as assessment_rules_routes
    from tracker.bulletins import bp as bulletins_bp
    from tracker.bulletins import routes as bulletins_routes
    from tracker.calendar_feed import bp as calendar_bp
    from tracker.calendar_feed import routes as calendar_routes
    from tracker.coordination import bp as coordination_bp
    from tracker.coordination import routes as coordination_routes
    from tracker.dashboard import bp as dashboard_bp
    from tracker.dashboard import routes as dashboard_routes
    from tracker.holidays import bp as holidays_bp
    from tracker.holidays import routes as holidays_routes
    from tracker.indicators import bp as indicators_bp
    from tracker.indicators import routes as indicators_routes
    from tracker.indicators import value_routes as indicator_value_routes
    from tracker.items import bp as items_bp
    from tracker.items import routes as items_routes
    from tracker.items import routes_manage as items_manage_routes
    from tracker.items import routes_milestones as items_milestone_routes
    from tracker.items import routes_reports as items_report_routes
    from tracker.letters import bp as letters_bp
    from tracker.letters import routes as letters_routes
    from tracker.notify import bp as notify_bp
    from tracker.notify import channel_admin as notify_channel_routes
    from tracker.notify import routes as notify_routes
    from tracker.plans import bp as plans_bp
    from tracker.plans import routes as plans_routes
    from tracker.plans import routes_edit as plans_edit_routes
    from tracker.review import bp as review_bp
    from tracker.review import routes as review_routes
    from tracker.signoff import ack_routes as signoff_ack_routes
    from tracker.signoff import bp as signoff_bp
    from tracker.signoff import instruction_routes as signoff_instruction_routes
    from tracker.signoff import routes as signoff_routes
    from tracker.spreadsheets import bp as spreadsheets_bp
    from tracker.spreadsheets import routes as spreadsheets_routes

    _views(
        api_auth,
        api_coordination,
        api_openapi,
        api_indicators,
        api_instructions,
        api_items,
        api_letters,
        api_milestones,
        api_org,
        api_plans,
        api_reports,
        api_signoff,
        assessment_routes,
        assessment_rules_routes,
        bulletins_routes,
        calendar_routes,
        coordination_routes,
        dashboard_routes,
        holidays_routes,
        indicators_routes,
        indicator_value_routes,
        items_routes,
        items_manage_routes,
        items_milestone_routes,
        items_report_routes,
        letters_routes,
        notify_channel_routes,
        notify_routes,
        plans_routes,
        plans_edit_routes,
        review_routes,
        signoff_routes,
        signoff_ack_routes,
        signoff_instruction_routes,
        spreadsheets_routes,
    )
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
        assessment_bp,
        letters_bp,
        coordination_bp,
        signoff_bp,
    ]


def _views(*modules) -> None:
    """The route modules above are imported for their side effect (views on their `bp`)."""
    assert all(module.__name__.startswith("tracker.") for module in modules)


def area_commands() -> list:
    """Every area's CLI group (plan, notify, scheduler, …)."""
    from tracker.assessment.cli import assessment_cli
    from tracker.backup.cli import backup_cli
    from tracker.holidays.cli import holidays_cli
    from tracker.items.cli import items_cli
    from tracker.letters.cli import letters_cli
    from tracker.notify.cli import notify_cli
    from tracker.plans.cli import plan_cli
    from tracker.scheduler.cli import scheduler_command

    return [
        plan_cli,
        notify_cli,
        scheduler_command,
        items_cli,
        backup_cli,
        holidays_cli,
        assessment_cli,
        letters_cli,
    ]
