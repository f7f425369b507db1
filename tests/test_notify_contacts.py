"""Where officials read: DingTalk ids and mobiles on users, group robots on departments."""

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AuditEvent, Department, User


def _admin(client, factories):
    admin = factories.user("admin")
    factories.login_as(client, admin)
    return admin


def test_admin_creates_and_edits_a_user_with_dingtalk_id_and_mobile(client, factories):
    admin = _admin(client, factories)
    response = client.post(
        "/admin/users/new",
        data={
            "username": "zhang",
            "role": "liaison",
            "department_id": admin.department_id,
            "dingtalk_user_id": " manager4220 ",
            "mobile": "138-0000-0001",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "zhang"))
    assert (user.dingtalk_user_id, user.mobile) == ("manager4220", "13800000001")
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "manager4220" in page and "13800000001" in page

    response = client.post(
        f"/admin/users/{user.id}",
        data={
            "role": "liaison",
            "department_id": admin.department_id,
            "active": "y",
            "dingtalk_user_id": "",
            "mobile": "call me",
        },
    )
    assert response.status_code == 422  # a bad mobile: nothing half-written
    db.session.expire_all()
    assert db.session.get(User, user.id).mobile == "13800000001"
    response = client.post(
        f"/admin/users/{user.id}",
        data={
            "role": "liaison",
            "department_id": admin.department_id,
            "active": "y",
            "dingtalk_user_id": "",
            "mobile": "+8613800000002",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.dingtalk_user_id, user.mobile) == (None, "+8613800000002")
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.updated")
    ).first()
    assert event.after["mobile"] == "+8613800000002"


def test_users_set_their_own_dingtalk_id_and_mobile_in_the_profile(client, factories):
    user = factories.user("liaison")
    factories.login_as(client, user)
    data = {"name": "李四", "email": "li@example.com", "locale": "zh_Hans_CN"}
    response = client.post("/profile", data=data | {"dingtalk_user_id": "li 4", "mobile": ""})
    assert response.status_code == 422
    response = client.post(
        "/profile", data=data | {"dingtalk_user_id": "li4", "mobile": "13900000000"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.dingtalk_user_id, user.mobile) == ("li4", "13900000000")


def test_cli_creates_a_user_with_dingtalk_id_and_mobile(runner, factories):
    factories.department("市发改委")
    db.session.commit()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "wang",
            "--role",
            "liaison",
            "--department",
            "市发改委",
            "--generate-password",
            "--dingtalk-id",
            "wang01",
            "--mobile",
            "13700000000",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "wang"))
    assert (user.dingtalk_user_id, user.mobile) == ("wang01", "13700000000")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "zhao",
            "--role",
            "liaison",
            "--department",
            "市发改委",
            "--generate-password",
            "--mobile",
            "abc",
        ]
    )
    assert result.exit_code != 0
    assert db.session.scalar(select(User).where(User.username == "zhao")) is None


def test_a_department_robot_webhook_must_be_https(client, factories):
    _admin(client, factories)
    data = {
        "name": "绍兴市发展和改革委员会",
        "short_name": "市发改委",
        "kind": "government",
        "active": "y",
    }
    response = client.post(
        "/admin/departments/new",
        data=data | {"robot_webhook": "http://oapi.dingtalk.com/robot/send?access_token=x"},
    )
    assert response.status_code == 422
    assert "https://" in response.get_data(as_text=True)
    assert db.session.scalar(select(Department).where(Department.short_name == "市发改委")) is None
    url = "https://oapi.dingtalk.com/robot/send?access_token=x"
    response = client.post(
        "/admin/departments/new", data=data | {"robot_webhook": url, "robot_secret": "SECabc"}
    )
    assert response.status_code == 302
    department = db.session.scalar(select(Department).where(Department.short_name == "市发改委"))
    assert (department.robot_webhook, department.robot_secret) == (url, "SECabc")
    page = client.get(f"/admin/departments/{department.id}").get_data(as_text=True)
    assert "SECabc" not in page  # the secret is never shown again
    response = client.post(
        f"/admin/departments/{department.id}", data=data | {"robot_webhook": url}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Department, department.id).robot_secret == "SECabc"  # kept
