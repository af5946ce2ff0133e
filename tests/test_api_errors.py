"""Status codes and their application/problem+json bodies (docs/api.md "Conventions")."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from diary.extensions import db
from diary.models import User

from . import clock
from .factories import PASSWORD, ApiClient, assert_problem, day_body

DAY = (clock.today("Europe/London") - timedelta(days=3)).isoformat()
URL = "/api/v1/patients/me/days/{}"
MAX_BODY = 64 * 1024


def raw_put(api: ApiClient, path: str, data, content_type: str = "application/json"):
    return api.put(path, data=data, content_type=content_type)


# -- 400 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    ['{"headaches": [', "", "{'soreness': 3}", "NaN-ish", "\x00"],
    ids=["truncated", "empty", "single-quotes", "word", "nul"],
)
def test_malformed_json_is_a_400_and_stores_nothing(logged_in, data):
    assert_problem(raw_put(logged_in, URL.format(DAY), data), 400)
    assert logged_in.get(URL.format(DAY)).status_code == 404


@pytest.mark.parametrize("path", [URL.format(DAY), "/api/v1/auth/login", "/api/v1/me"])
def test_json_nested_deeper_than_the_parser_goes_is_a_400(logged_in, path):
    deep = "[" * 20_000 + "]" * 20_000
    method = "PATCH" if path == "/api/v1/me" else ("PUT" if "days" in path else "POST")
    response = logged_in.request(method, path, data=deep, content_type="application/json")
    assert_problem(response, 400)


def test_a_missing_csrf_token_is_a_400_and_stores_nothing(logged_in):
    response = logged_in.put(URL.format(DAY), json=day_body(), csrf=False)
    assert_problem(response, 400)
    assert logged_in.get(URL.format(DAY)).status_code == 404


# -- 401 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/me"),
        ("PATCH", "/api/v1/me"),
        ("POST", "/api/v1/auth/logout"),
        ("GET", f"/api/v1/patients/me/days/{DAY}"),
        ("GET", "/api/v1/patients/me/days"),
        ("PUT", f"/api/v1/patients/me/days/{DAY}"),
        ("DELETE", f"/api/v1/patients/me/days/{DAY}"),
        ("GET", "/api/v1/medications/catalogue"),
        ("GET", "/api/v1/patients/me/medications"),
    ],
)
def test_not_logged_in_is_a_401(api, method, path):
    body = day_body() if method == "PUT" else {}
    assert_problem(api.request(method, path, json=body), 401)


def test_a_401_stores_nothing(api, patient, new_api):
    assert_problem(api.put(URL.format(DAY), json=day_body()), 401)
    owner = new_api()
    owner.login(patient)
    assert owner.get(URL.format(DAY)).status_code == 404


# -- 403 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_a_therapist_writing_patients_me_days_is_a_403(api, users, method):
    api.login(users.therapist())
    body = assert_problem(api.request(method, URL.format(DAY), json=day_body()), 403)
    assert "patient" in body["detail"].lower()


def test_a_therapist_reading_patients_me_days_is_a_404(api, users):
    api.login(users.therapist())
    assert_problem(api.get(URL.format(DAY)), 404)


# -- 404 ------------------------------------------------------------------------------------


def test_an_unknown_day_is_a_404(logged_in):
    assert_problem(logged_in.get(URL.format(DAY)), 404)


def test_deleting_an_unknown_day_is_a_404(logged_in):
    assert_problem(logged_in.delete(URL.format(DAY)), 404)


@pytest.mark.parametrize(
    "bad_date",
    [
        "2026-02-30",
        "2025-02-29",
        "2026-13-01",
        "2026-00-10",
        "2026-2-3",
        "20261120",
        "today",
        "2026-11-20x",
        "0000-01-01",
    ],
)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_a_date_in_the_address_that_is_no_date_is_a_404(logged_in, bad_date, method):
    response = logged_in.request(method, URL.format(bad_date), json=day_body())
    assert_problem(response, 404)


def test_an_unknown_api_address_is_a_problem_404(logged_in):
    assert_problem(logged_in.get("/api/v1/no-such-thing"), 404)


def test_another_patients_day_is_a_404_like_an_unknown_one(logged_in, patient, users, new_api):
    assert logged_in.put(URL.format(DAY), json=day_body()).status_code == 201
    other = new_api()
    other.login(users.patient())
    hidden = assert_problem(other.get(f"/api/v1/patients/{patient.id}/days/{DAY}"), 404)
    unknown = assert_problem(other.get(f"/api/v1/patients/{patient.id}/days/2020-01-01"), 404)
    assert hidden == unknown


# -- 405 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/api/v1/auth/logout", {"POST"}),
        ("GET", "/api/v1/auth/login", {"POST"}),
        ("POST", f"/api/v1/patients/me/days/{DAY}", {"GET", "PUT", "DELETE"}),
        ("PUT", "/api/v1/medications/catalogue", {"GET"}),
    ],
)
def test_a_method_the_address_does_not_take_is_a_405_with_allow(logged_in, method, path, allowed):
    response = logged_in.request(method, path, json={})
    assert_problem(response, 405)
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


# -- 409 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "second_email", ["jo@example.test", "JO@EXAMPLE.TEST", "Jo@Example.Test", "  jo@example.test  "]
)
def test_registering_a_taken_email_is_a_409_whatever_its_case(api, new_api, second_email):
    first = api.post(
        "/api/v1/auth/register", json={"email": "jo@example.test", "password": PASSWORD, "display_name": "Jo"}
    )
    assert first.status_code == 201, first.get_json()
    again = new_api().post(
        "/api/v1/auth/register",
        json={"email": second_email, "password": "quiet-harbour-lantern-92", "display_name": "Other Jo"},
    )
    if again.status_code == 422:
        pytest.fail(f"{second_email!r} was refused as invalid rather than taken: {again.get_json()}")
    assert_problem(again, 409)
    assert db.session.query(User).count() == 1
    assert db.session.query(User).one().display_name == "Jo"


# -- 412 ------------------------------------------------------------------------------------


def test_a_stale_if_match_is_a_412(logged_in):
    logged_in.put(URL.format(DAY), json=day_body())
    logged_in.put(URL.format(DAY), json=day_body(soreness=5))
    response = logged_in.put(URL.format(DAY), json=day_body(soreness=7), headers={"If-Match": '"1"'})
    assert_problem(response, 412)


# -- 413 ------------------------------------------------------------------------------------


def _body_of_size(size: int) -> str:
    skeleton = json.dumps(day_body(notes=""))
    return skeleton.replace('"notes": ""', '"notes": "' + "n" * (size - len(skeleton)) + '"')


def test_a_body_over_64_kib_is_a_413_and_stores_nothing(logged_in):
    data = _body_of_size(MAX_BODY + 1)
    assert len(data.encode()) == MAX_BODY + 1
    assert_problem(raw_put(logged_in, URL.format(DAY), data), 413)
    assert logged_in.get(URL.format(DAY)).status_code == 404


def test_a_body_of_exactly_64_kib_is_read(logged_in):
    data = _body_of_size(MAX_BODY)
    assert len(data.encode()) == MAX_BODY
    problem = assert_problem(raw_put(logged_in, URL.format(DAY), data), 422)  # read, notes too long
    assert list(problem["errors"]) == ["notes"]


def test_a_large_login_body_is_a_413(api, patient):
    data = json.dumps({"email": patient.email, "password": "p" * (MAX_BODY + 10)})
    assert_problem(api.post("/api/v1/auth/login", data=data, content_type="application/json"), 413)


# -- 415 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"],
)
def test_a_body_that_is_not_json_is_a_415_and_stores_nothing(logged_in, content_type):
    response = raw_put(logged_in, URL.format(DAY), json.dumps(day_body()), content_type)
    assert_problem(response, 415)
    assert logged_in.get(URL.format(DAY)).status_code == 404


def test_registering_with_a_form_body_is_a_415(api):
    response = api.post(
        "/api/v1/auth/register", data={"email": "jo@example.test", "password": PASSWORD, "display_name": "Jo"}
    )
    assert_problem(response, 415)
    assert db.session.query(User).count() == 0


# -- 422 ------------------------------------------------------------------------------------


def test_invalid_field_values_are_a_422_with_errors_by_field(logged_in):
    problem = assert_problem(logged_in.put(URL.format(DAY), json=day_body(soreness=11)), 422)
    assert list(problem["errors"]) == ["soreness"]
    assert problem["errors"]["soreness"] and all(isinstance(m, str) for m in problem["errors"]["soreness"])


# -- 429 ------------------------------------------------------------------------------------


def test_too_many_attempts_is_a_429_with_retry_after(make_app, users):
    app = make_app(LOGIN_LIMIT_PER_ADDRESS="2 per minute")
    with app.app_context():
        email = users.patient().email
    api = ApiClient(app.test_client())
    for _ in range(2):
        api.post("/api/v1/auth/login", json={"email": email, "password": "wrong-guess"})
    response = api.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert_problem(response, 429)
    assert 0 < int(response.headers["Retry-After"]) <= 60


# -- 500 ------------------------------------------------------------------------------------

SECRET = "internal-detail-9f3c: password=hunter2 at /srv/diary/models.py line 12"


@pytest.fixture
def failing_app(make_app):
    """An app of this test's own with routes that fail the way a bug would."""
    app = make_app()

    @app.get("/api/v1/test-only/boom")
    def api_boom():
        raise RuntimeError(SECRET)

    @app.get("/test-only/boom")
    def page_boom():
        raise KeyError(SECRET)

    @app.get("/api/v1/test-only/zero")
    def api_zero():
        return {"ratio": 1 / 0}

    return app


@pytest.mark.parametrize("path", ["/api/v1/test-only/boom", "/api/v1/test-only/zero"])
def test_an_unexpected_api_error_is_a_500_problem_without_a_stack_trace(failing_app, path):
    response = failing_app.test_client().get(path)
    assert_problem(response, 500)
    text = response.get_data(as_text=True)
    for leak in (
        "internal-detail",
        "hunter2",
        "models.py",
        "RuntimeError",
        "ZeroDivision",
        "Traceback",
        'File "',
    ):
        assert leak not in text


def test_an_unexpected_page_error_is_a_500_page_without_a_stack_trace(failing_app):
    response = failing_app.test_client().get("/test-only/boom")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    for leak in ("internal-detail", "hunter2", "models.py", "KeyError", "Traceback", 'File "'):
        assert leak not in text


def test_an_unexpected_error_keeps_the_security_headers(failing_app):
    response = failing_app.test_client().get("/api/v1/test-only/boom")
    assert response.status_code == 500
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
