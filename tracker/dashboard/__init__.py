"""Dashboards: the city overview and one department's view, every number a link to its list."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
