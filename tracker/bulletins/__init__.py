"""Bulletins (通报): per department for one period, printable and as .docx."""

from flask import Blueprint

bp = Blueprint("bulletins", __name__, url_prefix="/bulletins")

from tracker.bulletins import routes  # noqa: E402,F401
