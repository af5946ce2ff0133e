"""Accounts over HTTP (docs/api.md "Accounts"): register, passwords, login, rehash, logout, profile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select

from diary.extensions import db
from diary.models import User

from .factories import PASSWORD, ApiClient, assert_problem

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
USER_FIELDS = {"id", "email", "display_name", "role", "timezone"}


def registration(**overrides) -> dict:
    return {"email": "jo@example.test", "password": PASSWORD, "display_name": "Jo Bloggs", **overrides}


def stored_user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def user_count() -> int:
    db.session.expire_all()
    return len(db.session.scalars(select(User.id)).all())


# -- Register ---------------------------------------------------------------------------------


def test_register_makes_a_patient_and_logs_them_in(api):
    response = api.post(REGISTER, json=registration(email="Jo@Example.TEST"))
    assert response.status_code == 201
    user = response.get_json()
    assert set(user) == USER_FIELDS
    assert user["role"] == "patient"
    assert user["email"] == "jo@example.test"
    assert user["display_name"] == "Jo Bloggs"
    assert user["timezone"] == "Europe/London"
    assert api.get("/api/v1/me").get_json() == user
    assert stored_user("jo@example.test").role == "patient"


def test_register_keeps_the_time_zone_given(api):
    response = api.post(REGISTER, json=registration(timezone="Pacific/Kiritimati"))
    assert response.get_json()["timezone"] == "Pacific/Kiritimati"


@pytest.mark.parametrize("role", ["therapist", "patient", "admin"])
def test_register_refuses_a_role_in_the_body(api, role):
    problem = assert_problem(api.post(REGISTER, json=registration(role=role)), 422)
    assert "role" in problem["errors"]
    assert user_count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("email", ""),
        ("email", "a" * 250 + "@x.test"),
        ("email", None),
        ("display_name", ""),
        ("display_name", "x" * 81),
        ("display_name", None),
        ("timezone", "Mars/Olympus"),
        ("timezone", "europe/london"),
        ("timezone", ""),
        ("password", None),
        ("password", "p" * 257),
        ("display_name", "Jo\x00"),
        ("email", "jo\x00@example.test"),
    ],
)
def test_register_refuses_a_bad_field(api, field, value):
    problem = assert_problem(api.post(REGISTER, json=registration(**{field: value})), 422)
    assert field in problem["errors"]
    assert user_count() == 0


@pytest.mark.parametrize("field", ["email", "password", "display_name"])
def test_register_needs_each_required_field(api, field):
    body = registration()
    del body[field]
    assert field in assert_problem(api.post(REGISTER, json=body), 422)["errors"]
    assert user_count() == 0


@pytest.mark.parametrize(
    "password",
    [
        "Xq9#mZ2",  # 7 characters
        "password123",
        "qwertyuiop",
        "Password1!",
        "12345678910",
        "aaaaaaaaaaaa",
        "iloveyou2026",
        "jobloggs2026",  # the person's own name
        "jo@example.test",  # the person's own email
        "headachediary",  # the app's own words
    ],
)
def test_a_short_or_guessable_password_is_refused(api, password):
    problem = assert_problem(api.post(REGISTER, json=registration(password=password)), 422)
    assert list(problem["errors"]) == ["password"]
    assert all(isinstance(m, str) and m for m in problem["errors"]["password"])
    assert user_count() == 0


@pytest.mark.parametrize(
    "password",
    [
        "amber-violin-orchard-47",
        "correct horse battery staple",
        "my cat naps on the warm green windowsill every afternoon",
        "Walking-the-dog-at-dawn-is-" + "quiet-" * 30,  # long: only its start is scored
        "ünïcödé-pässwörd-ñ-ǂ-日本語-κλειδί",
    ],
)
def test_a_long_passphrase_is_accepted(api, password):
    response = api.post(REGISTER, json=registration(password=password))
    assert response.status_code == 201, response.get_json()
    other = ApiClient(api.client.application.test_client())
    assert other.post(LOGIN, json={"email": "jo@example.test", "password": password}).status_code == 200


def test_the_password_is_stored_only_as_an_argon2id_hash(api):
    api.post(REGISTER, json=registration())
    stored = stored_user("jo@example.test").password_hash
    assert PASSWORD not in stored
    assert stored.startswith("$argon2id$")


# -- Login ------------------------------------------------------------------------------------


def test_login_answers_200_with_the_user(api, patient):
    response = api.post(LOGIN, json={"email": patient.email, "password": PASSWORD})
    assert response.status_code == 200
    user = response.get_json()
    assert set(user) == USER_FIELDS
    assert user["id"] == str(patient.id) and user["role"] == "patient"
    assert api.get("/api/v1/me").status_code == 200


def test_login_ignores_case_and_spaces_around_the_email(api, patient):
    response = api.post(LOGIN, json={"email": f"  {patient.email.upper()} ", "password": PASSWORD})
    assert response.status_code == 200


def test_a_therapist_logs_in_as_a_therapist(api, users):
    therapist = users.therapist()
    response = api.post(LOGIN, json={"email": therapist.email, "password": PASSWORD})
    assert response.get_json()["role"] == "therapist"


def test_a_wrong_email_and_a_wrong_password_get_the_identical_401(api, patient, new_api):
    wrong_password = new_api().post(LOGIN, json={"email": patient.email, "password": "not-it-at-all"})
    wrong_email = new_api().post(LOGIN, json={"email": "nobody@example.test", "password": PASSWORD})
    assert_problem(wrong_password, 401)
    assert_problem(wrong_email, 401)
    assert wrong_password.get_data() == wrong_email.get_data()
    assert wrong_password.headers["Content-Type"] == wrong_email.headers["Content-Type"]


def test_a_failed_login_does_not_log_in(api, patient):
    api.post(LOGIN, json={"email": patient.email, "password": "not-it-at-all"})
    assert_problem(api.get("/api/v1/me"), 401)


@pytest.mark.parametrize(
    "body",
    [
        {"email": "a@b.test"},
        {"password": "x"},
        {},
        {"email": 5, "password": "x"},
        {"email": "a@b.test", "password": "x", "remember": True},
    ],
)
def test_a_login_body_of_the_wrong_shape_is_a_422(api, body):
    assert_problem(api.post(LOGIN, json=body), 422)


@pytest.mark.parametrize(
    "body",
    [
        {"email": "jo\x00@example.test", "password": PASSWORD},
        {"email": "jo@example.test", "password": "\ud800"},
    ],
)
def test_a_login_with_unstorable_characters_is_refused_cleanly(api, body):
    response = api.post(LOGIN, json=body)
    assert response.status_code in (401, 422), response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"


def test_login_rehashes_when_the_argon2_parameters_change(make_app, users):
    first = make_app()
    with first.app_context():
        email = users.patient().email
        old_hash = stored_user(email).password_hash
    assert "t=1," in old_hash

    stronger = make_app(ARGON2_TIME_COST=2)
    response = ApiClient(stronger.test_client()).post(LOGIN, json={"email": email, "password": PASSWORD})
    assert response.status_code == 200
    with stronger.app_context():
        new_hash = stored_user(email).password_hash
    assert new_hash != old_hash
    assert "t=2," in new_hash
    assert PasswordHasher().verify(new_hash, PASSWORD)
    with pytest.raises(VerificationError):
        PasswordHasher().verify(new_hash, "not-it-at-all")
    again = ApiClient(stronger.test_client()).post(LOGIN, json={"email": email, "password": PASSWORD})
    assert again.status_code == 200
    with stronger.app_context():
        assert stored_user(email).password_hash == new_hash  # already current: left alone


def test_a_failed_login_does_not_rehash(make_app, users):
    first = make_app()
    with first.app_context():
        email = users.patient().email
        old_hash = stored_user(email).password_hash
    stronger = make_app(ARGON2_TIME_COST=2)
    response = ApiClient(stronger.test_client()).post(
        LOGIN, json={"email": email, "password": "not-it-at-all"}
    )
    assert response.status_code == 401
    with stronger.app_context():
        assert stored_user(email).password_hash == old_hash


# -- Logout -----------------------------------------------------------------------------------


def test_logout_ends_the_session_even_for_a_replayed_cookie(app, logged_in):
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    stolen = logged_in.client.get_cookie(cookie_name).value
    response = logged_in.post("/api/v1/auth/logout")
    assert response.status_code == 204
    assert response.get_data() == b""
    assert_problem(logged_in.get("/api/v1/me"), 401)

    replay = app.test_client()
    replay.set_cookie(cookie_name, stolen)
    assert_problem(replay.get("/api/v1/me"), 401)
    assert_problem(replay.get("/api/v1/patients/me/days"), 401)


def test_a_copied_cookie_works_until_logout(app, logged_in):
    """The control for the replay test: the copy is a working credential before logout."""
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    copy = app.test_client()
    copy.set_cookie(cookie_name, logged_in.client.get_cookie(cookie_name).value)
    assert copy.get("/api/v1/me").status_code == 200


def test_logout_ends_only_this_login(logged_in, patient, new_api):
    phone = new_api()
    phone.login(patient)
    assert logged_in.post("/api/v1/auth/logout").status_code == 204
    assert phone.get("/api/v1/me").status_code == 200


def test_a_login_session_ends_after_its_lifetime_even_for_a_replayed_cookie(app, api, patient):
    lifetime = timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"])
    start = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    with time_machine.travel(start, tick=False):
        api.login(patient)
        value = api.client.get_cookie(cookie_name).value
    for moment, status in (
        (start + lifetime - timedelta(minutes=1), 200),
        (start + lifetime + timedelta(minutes=1), 401),
    ):
        with time_machine.travel(moment, tick=False):
            replay = app.test_client()
            replay.set_cookie(cookie_name, value)
            assert replay.get("/api/v1/me").status_code == status, moment


def test_logout_needs_a_login(api):
    assert_problem(api.post("/api/v1/auth/logout"), 401)


# -- The logged-in user -----------------------------------------------------------------------


def test_me_describes_the_logged_in_user_and_nothing_more(logged_in, patient):
    response = logged_in.get("/api/v1/me")
    assert response.status_code == 200
    assert response.get_json() == {
        "id": str(patient.id),
        "email": patient.email,
        "display_name": patient.display_name,
        "role": "patient",
        "timezone": "Europe/London",
    }


def test_patch_me_changes_the_name_and_the_time_zone(logged_in, patient):
    response = logged_in.patch(
        "/api/v1/me", json={"display_name": "  Jo B  ", "timezone": "America/New_York"}
    )
    assert response.status_code == 200
    assert response.get_json()["display_name"] == "Jo B"
    assert response.get_json()["timezone"] == "America/New_York"
    assert logged_in.get("/api/v1/me").get_json() == response.get_json()


def test_patch_me_with_one_field_leaves_the_other(logged_in, patient):
    logged_in.patch("/api/v1/me", json={"timezone": "Asia/Tokyo"})
    me = logged_in.get("/api/v1/me").get_json()
    assert me["timezone"] == "Asia/Tokyo" and me["display_name"] == patient.display_name


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "GMT+1"}, "timezone"),
        ({"timezone": None}, "timezone"),
        ({"timezone": 0}, "timezone"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "x" * 81}, "display_name"),
        ({"display_name": None}, "display_name"),
        ({"role": "therapist"}, "role"),
        ({"email": "new@example.test"}, "email"),
        ({"display_name": "Fine", "timezone": "Nowhere/Else"}, "timezone"),
        ({"display_name": "Jo\x00"}, "display_name"),
        ({"display_name": "Jo \udc80"}, "display_name"),
    ],
)
def test_patch_me_refuses_bad_values_and_changes_nothing(logged_in, body, field):
    before = logged_in.get("/api/v1/me").get_json()
    problem = assert_problem(logged_in.patch("/api/v1/me", json=body), 422)
    assert field in problem["errors"]
    assert logged_in.get("/api/v1/me").get_json() == before
