"""Plan indicators: kinds, yearly values and their status."""

from flask import Blueprint

bp = Blueprint("indicators", __name__, url_prefix="/indicators")

from tracker.indicators import routes, value_routes  # noqa: E402,F401
