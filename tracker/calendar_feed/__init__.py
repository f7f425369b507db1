"""The iCalendar feed: a user's department deadlines and report deadlines by a secret URL."""

from flask import Blueprint

bp = Blueprint("calendar", __name__, url_prefix="/calendar")
