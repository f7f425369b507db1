"""Work items: generation from a plan, ownership, deadlines, reports, contributions, evidence."""

from flask import Blueprint

bp = Blueprint("items", __name__)

from tracker.items import routes, routes_manage, routes_reports  # noqa: E402, F401
from tracker.items.templating import register as _register_template_helpers  # noqa: E402

bp.record_once(_register_template_helpers)
