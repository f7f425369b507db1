"""Admin pages: users (create, edit, deactivate, reset password) and departments."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from tracker.admin import bp
from tracker.admin.forms import ConfirmForm, DepartmentForm, UserForm
from tracker.admin.operations import (
    create_user,
    delete_department,
    reset_password,
    save_department,
    update_user,
)
from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.models import Department, User
from tracker.pagination import paginate
from tracker.web import department_choices, form_page, one_transaction, role_required
from tracker.workflow import Role


@bp.get("/users")
@role_required([Role.ADMIN], event="admin")
def users():
    query = select(User).order_by(User.username)
    q = request.args.get("q", "").strip()
    if q:
        query = query.where(User.username.contains(q) | User.name.contains(q))
    page = paginate(query, per_page=50)
    return render_template("admin/users.html", page=page, q=q, confirm=ConfirmForm())


@bp.route("/users/new", methods=["GET", "POST"])
@role_required([Role.ADMIN], event="admin")
def new_user():
    form = UserForm()
    form.department_id.choices = department_choices(include_office=True, include_inactive=True)

    def create():
        return create_user(
            current_user,
            username=form.username.data,
            role=form.role.data,
            department=db.session.get(Department, form.department_id.data),
            email=form.email.data,
            name=form.name.data or "",
            dingtalk_user_id=form.dingtalk_user_id.data,
            mobile=form.mobile.data,
        )

    def done(result):
        user, password = result
        flash(
            _(
                "User %(name)s created. Initial password (shown once): %(password)s",
                name=user.username,
                password=password,
            ),
            "success",
        )
        return redirect(url_for("admin.users"))

    return form_page(
        form,
        create,
        done=done,
        template="admin/user_form.html",
        context={"user": None},
        conflicts=(),
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required([Role.ADMIN], event="admin")
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    form.department_id.choices = department_choices(include_office=True, include_inactive=True)
    del form.username

    def save():
        update_user(
            current_user,
            user,
            role=form.role.data,
            department=db.session.get(Department, form.department_id.data),
            name=form.name.data or "",
            email=form.email.data,
            active=form.active.data,
            dingtalk_user_id=form.dingtalk_user_id.data,
            mobile=form.mobile.data,
        )

    def done(_result):
        flash(_("User %(name)s saved.", name=user.username), "success")
        return redirect(url_for("admin.users"))

    return form_page(
        form,
        save,
        done=done,
        template="admin/user_form.html",
        context={"user": user, "confirm": ConfirmForm()},
        conflicts=(),
    )


@bp.post("/users/<int:user_id>/reset-password")
@role_required([Role.ADMIN], event="admin")
def reset_user_password(user_id: int):
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with one_transaction():
        password = reset_password(current_user, user)
    flash(
        _(
            "New password for %(name)s (shown once; they must change it at next log-in): "
            "%(password)s",
            name=user.username,
            password=password,
        ),
        "success",
    )
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.get("/departments")
@role_required([Role.ADMIN], event="admin")
def departments():
    counts = dict(
        db.session.execute(
            select(User.department_id, func.count()).group_by(User.department_id)
        ).all()
    )
    rows = db.session.scalars(select(Department).order_by(Department.short_name)).all()
    return render_template(
        "admin/departments.html", departments=rows, user_counts=counts, confirm=ConfirmForm()
    )


@bp.route("/departments/new", methods=["GET", "POST"], defaults={"department_id": None})
@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
@role_required([Role.ADMIN], event="admin")
def edit_department(department_id: int | None):
    department = db.get_or_404(Department, department_id) if department_id else None
    form = DepartmentForm(obj=department)
    if request.method == "GET" and department:
        form.aliases.data = "\n".join(a.alias for a in department.aliases)

    def save():
        save_department(
            current_user,
            department,
            name=form.name.data,
            short_name=form.short_name.data,
            kind=form.kind.data,
            aliases=(form.aliases.data or "").splitlines(),
            active=form.active.data,
            head_email=form.head_email.data,
            robot_webhook=form.robot_webhook.data,
            robot_secret=form.robot_secret.data,
        )

    def done(_result):
        flash(_("Department saved."), "success")
        return redirect(url_for("admin.departments"))

    return form_page(
        form,
        save,
        done=done,
        template="admin/department_form.html",
        context={"department": department},
        conflicts=(),
    )


@bp.post("/departments/<int:department_id>/delete")
@role_required([Role.ADMIN], event="admin")
def remove_department(department_id: int):
    department = db.get_or_404(Department, department_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with one_transaction():
            delete_department(current_user, department)
    except ValidationFailed as error:
        flash(error.message, "danger")
        return departments(), 409
    flash(_("Department deleted."), "success")
    return redirect(url_for("admin.departments"))
