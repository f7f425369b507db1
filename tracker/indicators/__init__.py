"""Plan indicators: kinds, yearly values and their status."""

from flask import Blueprint

bp = Blueprint("indicators", __name__, url_prefix="/indicators")
