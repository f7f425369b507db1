"""The caller and the departments."""

from __future__ import annotations

import logging

from flask import jsonify
from flask_login import current_user
from sqlalchemy import select

from tracker.api import serializers
from tracker.api.auth import auth_method
from tracker.api.spec import Param, operation
from tracker.extensions import db
from tracker.models import Department

logger = logging.getLogger(__name__)


@operation("/me", "GET", summary="The calling user", tag="me", response="Me")
def me():
    """Who the token (or session) belongs to, with role and department."""
    return jsonify(serializers.me(current_user, auth_method()))


DEPARTMENT_QUERY = (
    Param(
        "include_inactive",
        {"type": "boolean"},
        "Also list deactivated departments (default: active only).",
    ),
)


@operation(
    "/departments",
    "GET",
    summary="Departments",
    tag="departments",
    response="DepartmentList",
    query=DEPARTMENT_QUERY,
)
def departments(args):
    """Every department (the office is one too), by short name."""
    query = select(Department).order_by(Department.short_name, Department.id)
    if not args.get("include_inactive"):
        query = query.where(Department.active)
    rows = db.session.scalars(query).all()
    return jsonify({"items": [serializers.department(d) for d in rows]})
