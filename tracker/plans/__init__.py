"""Plans: parsing plan texts into their heading tree and indicators, importing and browsing."""

from flask import Blueprint

bp = Blueprint("plans", __name__, url_prefix="/plans")
