"""The home page each role lands on, the language switch and in-app notices."""

from flask import Blueprint

bp = Blueprint("main", __name__)
