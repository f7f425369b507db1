"""Plans: parsing plan texts into their heading tree and indicators, importing and browsing."""

from flask import Blueprint

bp = Blueprint("plans", __name__, url_prefix="/plans")

from tracker.plans import routes, routes_edit  # noqa: E402,F401
