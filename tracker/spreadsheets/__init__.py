"""Excel out (任务分解表, 进展情况表, indicators) and Excel in (bulk item import with preview)."""

from flask import Blueprint

bp = Blueprint("spreadsheets", __name__, url_prefix="/spreadsheets")
