"""Bulletins (通报): per department for one period, printable and as .docx."""

from flask import Blueprint

bp = Blueprint("bulletins", __name__, url_prefix="/bulletins")
