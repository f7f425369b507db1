"""Work items: generation from a plan, ownership, deadlines, reports, contributions, evidence."""

from flask import Blueprint

bp = Blueprint("items", __name__)
