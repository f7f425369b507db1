"""Administration of users and departments, and the `flask users` and `flask demo` commands."""

from sqlalchemy import select

from tests.conftest import TEST_PASSWORD, login, login_as
from tracker.extensions import db
from tracker.models import AuditEvent, Department, User


def _admin(factories):
    office = factories.department("市质量强市办", kind="office")
    return factories.user("admin", office)


def test_admin_pages_refuse_other_roles(client, factories):
    user = factories.user("office")
    login_as(client, user)
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/departments").status_code == 403


def test_admin_creates_a_user_who_must_change_password(client, factories):
    admin = _admin(factories)
    department = factories.department("市发改委")
    login_as(client, admin)
    response = client.post(
        "/admin/users/new",
        data={
            "username": "zhang",
            "name": "张三",
            "email": "zhang@example.com",
            "role": "liaison",
            "department_id": department.id,
            "active": "y",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "zhang"))
    assert user.must_change_password and user.department_id == department.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.created"))


def test_duplicate_username_is_refused_and_nothing_written(client, factories):
    admin = _admin(factories)
    existing = factories.user("liaison", username="taken")
    login_as(client, admin)
    response = client.post(
        "/admin/users/new",
        data={"username": "TAKEN", "role": "liaison", "department_id": existing.department_id},
    )
    assert response.status_code == 422
    assert "已被使用" in response.get_data(as_text=True)
    assert db.session.query(User).count() == 2


def test_too_long_field_is_refused(client, factories):
    admin = _admin(factories)
    login_as(client, admin)
    response = client.post(
        "/admin/users/new",
        data={"username": "u" * 200, "role": "liaison", "department_id": admin.department_id},
    )
    assert response.status_code == 422
    assert db.session.query(User).count() == 1


def test_admin_changes_role_and_deactivates(client, factories):
    admin = _admin(factories)
    user = factories.user("liaison")
    login_as(client, admin)
    response = client.post(
        f"/admin/users/{user.id}",
        data={"role": "leader", "department_id": user.department_id, "name": "x"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.role == "leader" and user.active is False


def test_admin_cannot_deactivate_self(client, factories):
    admin = _admin(factories)
    login_as(client, admin)
    response = client.post(
        f"/admin/users/{admin.id}", data={"role": "admin", "department_id": admin.department_id}
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, admin.id).active


def test_reset_password_gives_a_new_one_and_forces_change(client, app, factories):
    admin = _admin(factories)
    user = factories.user("liaison")
    login_as(client, admin)
    response = client.post(f"/admin/users/{user.id}/reset-password", follow_redirects=True)
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).must_change_password
    assert login(app.test_client(), user, TEST_PASSWORD).status_code == 401


def test_department_create_rename_and_aliases(client, factories):
    admin = _admin(factories)
    login_as(client, admin)
    response = client.post(
        "/admin/departments/new",
        data={
            "name": "绍兴市发展和改革委员会",
            "short_name": "市发改委",
            "kind": "government",
            "aliases": "市发展改革委\n市发展和改革委",
            "active": "y",
        },
    )
    assert response.status_code == 302
    department = db.session.scalar(select(Department).where(Department.short_name == "市发改委"))
    assert sorted(a.alias for a in department.aliases) == ["市发展和改革委", "市发展改革委"]
    from tracker.admin.operations import find_department

    assert find_department("市发展改革委").id == department.id


def test_alias_clash_is_refused(client, factories):
    admin = _admin(factories)
    factories.department("市经信局")
    login_as(client, admin)
    response = client.post(
        "/admin/departments/new",
        data={"name": "某局", "short_name": "某局", "kind": "government", "aliases": "市经信局"},
    )
    assert response.status_code == 422


def test_referenced_department_cannot_be_deleted(client, factories):
    admin = _admin(factories)
    department = factories.department("市科技局")
    factories.user("liaison", department)
    login_as(client, admin)
    response = client.post(f"/admin/departments/{department.id}/delete")
    assert response.status_code == 409
    assert db.session.get(Department, department.id) is not None


def test_unreferenced_department_can_be_deleted(client, factories):
    admin = _admin(factories)
    department = factories.department("市体育局")
    login_as(client, admin)
    assert client.post(f"/admin/departments/{department.id}/delete").status_code == 302
    db.session.expunge_all()
    assert db.session.get(Department, department.id) is None


def test_cli_users_create_generates_a_password(runner, factories):
    factories.department("市发改委")
    db.session.commit()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "li",
            "--role",
            "liaison",
            "--department",
            "市发改委",
            "--generate-password",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "generated password" in result.output
    assert db.session.scalar(select(User).where(User.username == "li")).must_change_password


def test_cli_users_create_refuses_unknown_department(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "li",
            "--role",
            "liaison",
            "--department",
            "不存在",
            "--generate-password",
        ]
    )
    assert result.exit_code != 0 and "unknown department" in result.output


def test_demo_is_idempotent_and_prints_logins(runner, app):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "admin" in first.output and "DEMO" in first.output
    users = db.session.query(User).count()
    departments = db.session.query(Department).count()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert db.session.query(User).count() == users
    assert db.session.query(Department).count() == departments
    assert departments >= 30
    # every department but the office has a liaison
    liaisons = db.session.query(User).filter_by(role="liaison").count()
    assert liaisons == departments - 1
