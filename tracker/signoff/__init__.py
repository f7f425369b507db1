"""The department head's sign-off (部门负责人审签) of reports before they reach the office."""

from flask import Blueprint

bp = Blueprint("signoff", __name__)
