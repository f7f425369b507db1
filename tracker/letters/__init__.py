"""Supervision letters (催办单 → 督办单 → 约谈问责通知): numbered documents that demand a reply."""

from flask import Blueprint

bp = Blueprint("letters", __name__, url_prefix="/letters")
