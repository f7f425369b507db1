"""Assessment scores (考核评分): rules per year, events per department, score sheets."""

from flask import Blueprint

bp = Blueprint("assessment", __name__, url_prefix="/assessment")
