"""The home page each role lands on, the language switch and in-app notices."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from tracker.main import routes  # noqa: E402,F401
