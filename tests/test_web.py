"""The request convention (tracker/web.py, tracker/errors.py): one transaction per write, one
rollback rule, one role guard, one rule for the plan a page shows."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from tests.conftest import login_as
from tests.dashboard_support import make_plan
from tracker.errors import Conflict, ValidationFailed
from tracker.extensions import db
from tracker.models import Department
from tracker.web import department_choices, one_transaction


def _departments(name: str) -> int:
    return db.session.scalar(select(func.count()).where(Department.name == name))


def test_one_transaction_commits_once_and_rolls_back_on_error(app):
    with one_transaction():
        db.session.add(Department(name="市甲局", short_name="甲局"))
    db.session.expire_all()
    assert _departments("市甲局") == 1
    with pytest.raises(ValidationFailed), one_transaction():
        db.session.add(Department(name="市乙局", short_name="乙局"))
        db.session.flush()
        raise ValidationFailed({"name": "bad"})
    assert _departments("市乙局") == 0


def test_a_unique_clash_is_a_409_conflict_and_nothing_is_half_written(app):
    with one_transaction():
        db.session.add(Department(name="市丙局", short_name="丙局"))
    with pytest.raises(Conflict), one_transaction():
        db.session.add(Department(name="市丁局", short_name="丁局"))
        db.session.add(Department(name="市丙局", short_name="丙局2"))
    assert Conflict.status == 409
    assert _departments("市丁局") == 0


def test_the_domain_error_handler_rolls_back_what_the_view_wrote(app):
    with app.test_request_context("/anything"):
        db.session.add(Department(name="市戊局", short_name="戊局"))
        db.session.flush()
        response = app.make_response(app.handle_user_exception(ValidationFailed({"name": "bad"})))
        assert response.status_code == 422
        assert _departments("市戊局") == 0


def test_the_http_error_handler_rolls_back_too(app):
    from werkzeug.exceptions import NotFound

    with app.test_request_context("/anything"):
        db.session.add(Department(name="市己局", short_name="己局"))
        db.session.flush()
        response = app.make_response(app.handle_user_exception(NotFound()))
        assert response.status_code == 404
        assert _departments("市己局") == 0


def test_role_required_refuses_other_roles_with_403_and_a_security_event(client, factories, caplog):
    login_as(client, factories.user("liaison"))
    with caplog.at_level(logging.INFO):
        assert client.get("/admin/users").status_code == 403
        assert client.get("/indicators/review").status_code == 403
        assert client.get("/bulletins/").status_code == 403
        assert client.get("/review").status_code == 403
    denied = [r for r in caplog.records if "denied" in r.getMessage()]
    assert denied, "a refused role leaves a security event"


def test_role_required_sends_anonymous_visitors_to_log_in(client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_department_choices_one_home(app, factories):
    office = factories.department("市办", kind="office")
    gone = factories.department("已撤局", active=False)
    live = factories.department("在职局")
    db.session.commit()
    plain = dict(department_choices())
    assert live.id in plain and office.id not in plain and gone.id not in plain
    admin = dict(department_choices(include_office=True, include_inactive=True))
    assert {live.id, office.id, gone.id} <= set(admin)
    assert department_choices("—")[0] == (0, "—")


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/?plan=12345",
        "/bulletins/?plan=12345",
        "/spreadsheets/?plan=12345",
        "/spreadsheets/export/decomposition.xlsx?plan=12345",
        "/indicators/?plan=12345",
    ],
)
def test_an_unknown_plan_id_is_a_404_on_every_chooser(client, factories, url):
    make_plan()
    db.session.commit()
    login_as(client, factories.user("office"))
    assert client.get(url).status_code == 404
