"""The office's side: review queue, verifying and returning reports, extension decisions."""

from flask import Blueprint

bp = Blueprint("review", __name__)
