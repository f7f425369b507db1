"""Mail: the outbox, the reminder/overdue/digest jobs, transports and the admin 发件箱."""

from flask import Blueprint

bp = Blueprint("notify", __name__)

from tracker.notify import routes  # noqa: E402,F401
