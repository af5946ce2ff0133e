"""The clinic's command line for accounts (diary/cli.py): `flask users list|disable|enable`."""

from __future__ import annotations

import pytest

from diary.extensions import db

from .factories import PASSWORD


@pytest.fixture
def cli(app):
    """Run a command of this test's app, as `flask --app wsgi ...` would."""
    runner = app.test_cli_runner()

    def invoke(*args: str):
        result = runner.invoke(args=list(args))
        db.session.expire_all()  # the command committed through the same session
        return result

    return invoke


def test_users_list_shows_every_account_with_its_logins(cli, users, as_user):
    patient = users.patient(email="sam@example.test", name="Sam")
    users.therapist(email="alex@clinic.test", name="Alex")
    as_user(patient), as_user(patient)
    result = cli("users", "list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["alex@clinic.test", "sam@example.test"]
    assert lines[1].split("\t")[1:3] == ["patient", "Sam"]
    assert lines[0].endswith("active\t0 logins")
    assert lines[1].endswith("active\t2 logins")
    only = cli("users", "list", "--role", "therapist").output.splitlines()
    assert [line.split("\t")[0] for line in only] == ["alex@clinic.test"]


def test_disabling_ends_every_login_at_once_and_enabling_lets_the_account_back(cli, api, users, as_user):
    patient = users.patient()
    phone, laptop = as_user(patient), as_user(patient)
    result = cli("users", "disable", "--email", patient.email.upper())
    assert result.exit_code == 0, result.output
    assert "2 logins ended" in result.output
    assert phone.get("/api/v1/me").status_code == 401
    assert laptop.get("/api/v1/me").status_code == 401
    login = {"email": patient.email, "password": PASSWORD}
    assert api.post("/api/v1/auth/login", json=login).status_code == 403
    assert "disabled " in cli("users", "list").output

    assert cli("users", "enable", "--email", patient.email).exit_code == 0
    assert api.post("/api/v1/auth/login", json=login).status_code == 200


def test_the_login_page_says_an_account_is_disabled_after_the_right_password(cli, client, users):
    patient = users.patient()
    cli("users", "disable", "--email", patient.email)
    token = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    wrong = client.post(
        "/login", data={"csrf_token": token, "email": patient.email, "password": "nope-nope-nope"}
    )
    assert wrong.status_code == 401 and "disabled" not in wrong.get_data(as_text=True)
    right = client.post("/login", data={"csrf_token": token, "email": patient.email, "password": PASSWORD})
    assert right.status_code == 403
    assert "This account is disabled; contact your clinic." in right.get_data(as_text=True)


@pytest.mark.parametrize("command", ["disable", "enable"])
def test_an_unknown_email_is_an_error(cli, command):
    result = cli("users", command, "--email", "nobody@nowhere.test")
    assert result.exit_code == 1
    assert "No account has the email nobody@nowhere.test" in result.output
