"""Coordination requests (协调事项): opened by verified reports, resolved by the office."""

from flask import Blueprint

bp = Blueprint("coordination", __name__)
