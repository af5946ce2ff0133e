"""Defences that hold for every route: CSRF on every change, security headers on every answer,
no caching of anything behind a login, and session cookies scripts cannot read."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from sqlalchemy import select

from diary.extensions import db

from . import clock
from .factories import PASSWORD, assert_problem, day_body
from .push import PRODUCTION_PUSH

DAY = clock.today("Europe/London") - timedelta(days=2)
CHANGING = ("POST", "PUT", "PATCH", "DELETE")


def database_snapshot() -> dict[str, list]:
    """Every row of every table, to show that a refused request changed nothing at all."""
    db.session.expire_all()
    snapshot = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table)).all()
        snapshot[table.name] = sorted(repr(tuple(row)) for row in rows)
    db.session.rollback()
    return snapshot


def _value_for(argument: str):
    if argument == "day":
        return DAY
    if argument == "pid":
        return "me"
    return str(uuid.uuid4())


def changing_api_routes(app) -> list[tuple[str, str]]:
    """(method, address) of every state-changing /api/v1 route, with its placeholders filled."""
    adapter = app.url_map.bind("localhost")
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        for method in sorted(set(rule.methods) & set(CHANGING)):
            values = {name: _value_for(name) for name in rule.arguments}
            routes.append((method, adapter.build(rule.endpoint, values, method=method)))
    return routes


# -- CSRF -------------------------------------------------------------------------------------


@pytest.fixture
def busy_patient(logged_in, patient):
    """A logged-in patient with a stored day, so that a write or delete would show."""
    assert logged_in.put(f"/api/v1/patients/me/days/{DAY}", json=day_body()).status_code == 201
    return logged_in


def test_the_route_list_covers_the_known_changing_routes(app):
    routes = set(changing_api_routes(app))
    for expected in [
        ("POST", "/api/v1/auth/register"),
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/auth/logout"),
        ("PATCH", "/api/v1/me"),
        ("PUT", f"/api/v1/patients/me/days/{DAY}"),
        ("DELETE", f"/api/v1/patients/me/days/{DAY}"),
    ]:
        assert expected in routes


@pytest.mark.parametrize("token", [None, "", "not-a-token", "x" * 200])
def test_every_changing_api_route_refuses_a_request_without_a_valid_csrf_token(app, busy_patient, token):
    before = database_snapshot()
    headers = {} if token is None else {"X-CSRFToken": token}
    for method, path in changing_api_routes(app):
        body = (
            {"email": "new@example.test", "password": PASSWORD, "display_name": "New", **day_body()}
            if method != "DELETE"
            else {"password": PASSWORD}
        )
        response = busy_patient.request(method, path, json=body, headers=headers, csrf=False)
        problem = assert_problem(response, 400)
        assert "csrf" in problem["title"].lower(), (method, path, problem)
    assert database_snapshot() == before
    assert busy_patient.get("/api/v1/me").status_code == 200  # logout was refused too


def test_anonymous_register_and_login_need_the_csrf_token(api, patient):
    before = database_snapshot()
    register = api.post(
        "/api/v1/auth/register",
        csrf=False,
        json={"email": "new@example.test", "password": PASSWORD, "display_name": "New"},
    )
    assert_problem(register, 400)
    login = api.post("/api/v1/auth/login", csrf=False, json={"email": patient.email, "password": PASSWORD})
    assert_problem(login, 400)
    assert_problem(api.get("/api/v1/me"), 401)
    assert database_snapshot() == before


def test_a_token_from_another_session_is_refused(busy_patient, users, new_api):
    other = new_api()
    other.login(users.patient())
    before = database_snapshot()
    foreign = {"X-CSRFToken": other.csrf_token()}
    path = f"/api/v1/patients/me/days/{DAY}"
    assert_problem(busy_patient.put(path, json=day_body(soreness=9), headers=foreign), 400)
    assert_problem(busy_patient.delete(path, headers=foreign), 400)
    assert_problem(busy_patient.patch("/api/v1/me", json={"display_name": "X"}, headers=foreign), 400)
    assert database_snapshot() == before


def test_an_anonymous_token_is_refused_in_a_logged_in_session(busy_patient, new_api):
    stranger_token = new_api().csrf_token()
    response = busy_patient.put(
        f"/api/v1/patients/me/days/{DAY}", json=day_body(soreness=9), headers={"X-CSRFToken": stranger_token}
    )
    assert_problem(response, 400)


def test_a_token_from_before_login_stops_working_at_login(api, patient):
    old_token = api.csrf_token()
    api.login(patient)
    response = api.put(f"/api/v1/patients/me/days/{DAY}", json=day_body(), headers={"X-CSRFToken": old_token})
    assert_problem(response, 400)
    assert api.get(f"/api/v1/patients/me/days/{DAY}").status_code == 404


def test_a_token_stops_working_after_logout(busy_patient, patient):
    old_token = busy_patient.csrf_token()
    assert busy_patient.post("/api/v1/auth/logout").status_code == 204
    response = busy_patient.post(
        "/api/v1/auth/login",
        headers={"X-CSRFToken": old_token},
        json={"email": patient.email, "password": PASSWORD},
    )
    assert_problem(response, 400)


def test_the_csrf_token_is_also_on_html_pages(client):
    page = client.get("/login").get_data(as_text=True)
    assert re.search(r'<meta name="csrf-token" content="[^"]+"', page)


# -- Security headers -------------------------------------------------------------------------

SAFE_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy")
    assert policy, f"no Content-Security-Policy on {response.request.path}"
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def assert_security_headers(response) -> None:
    where = f"{response.request.method} {response.request.path} ({response.status_code})"
    csp = csp_directives(response)
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src is not None, where
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, where
    assert "*" not in script_src and "data:" not in script_src, where
    assert csp.get("frame-ancestors") == ["'none'"], where
    assert csp.get("object-src") == ["'none'"], where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") in SAFE_REFERRER_POLICIES, where


ANONYMOUS_ADDRESSES = [
    ("GET", "/"),
    ("GET", "/login"),
    ("GET", "/register"),
    ("GET", "/no-such-page"),
    ("GET", "/static/css/app.css"),
    ("GET", "/static/js/app.js"),
    ("GET", "/static/nothing.css"),
    ("GET", "/api/v1/auth/csrf"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/no-such-thing"),
    ("GET", "/api/v1/auth/logout"),
    ("POST", "/api/v1/auth/login"),
    ("GET", "/today"),
]
LOGGED_IN_ADDRESSES = [
    ("GET", "/today"),
    ("GET", "/calendar"),
    ("GET", "/account"),
    ("GET", f"/days/{DAY}"),
    ("GET", "/days/2026-02-30"),
    ("GET", "/api/v1/me"),
    ("GET", f"/api/v1/patients/me/days/{DAY}"),
    ("GET", "/api/v1/patients/me/days"),
    ("GET", "/api/v1/patients/me/medications"),
    ("GET", "/api/v1/medications/catalogue"),
    ("GET", "/api/v1/patients/me/days/2020-13-01"),
    ("PUT", f"/api/v1/patients/me/days/{DAY}"),
    ("PATCH", "/api/v1/me"),
]


@pytest.mark.parametrize(
    ("method", "path"), ANONYMOUS_ADDRESSES, ids=[f"{m} {p}" for m, p in ANONYMOUS_ADDRESSES]
)
def test_every_anonymous_answer_carries_the_security_headers(api, method, path):
    response = api.request(method, path, json={})
    response.close()  # a static file is streamed from an open file
    assert_security_headers(response)


@pytest.mark.parametrize(
    ("method", "path"), LOGGED_IN_ADDRESSES, ids=[f"{m} {p}" for m, p in LOGGED_IN_ADDRESSES]
)
def test_every_logged_in_answer_has_the_security_headers_and_is_not_cached(busy_patient, method, path):
    body = day_body() if method == "PUT" else {"display_name": "Jo"}
    response = busy_patient.request(method, path, json=body)
    assert response.status_code < 500
    assert_security_headers(response)
    assert "no-store" in response.headers.get("Cache-Control", ""), path


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/auth/logout"])
def test_login_and_logout_answers_are_not_cached(api, patient, path):
    api.login(patient)
    response = api.post(path, json={"email": patient.email, "password": PASSWORD})
    assert "no-store" in response.headers.get("Cache-Control", "")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|<[^>]+\sstyle\s*=", re.IGNORECASE)


@pytest.mark.parametrize(
    "path", ["/", "/login", "/register", "/today", "/calendar", "/account", f"/days/{DAY}", "/no-such-page"]
)
def test_html_pages_need_no_inline_script_or_style_the_policy_would_block(busy_patient, path):
    if path in ("/", "/login", "/register"):
        busy_patient.post("/api/v1/auth/logout")
    page = busy_patient.get(path).get_data(as_text=True)
    assert not INLINE_SCRIPT.search(page), f"inline <script> on {path}"
    assert not EVENT_HANDLER.search(page), f"inline event handler on {path}"
    assert not JS_URL.search(page), f"javascript: URL on {path}"
    assert not INLINE_STYLE.search(page), f"inline style on {path} (style-src 'self' blocks it)"


# -- Cookies ----------------------------------------------------------------------------------


def session_cookie(response, name: str):
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        if name in cookie:
            return cookie[name], header
    raise AssertionError(f"no {name} cookie set; Set-Cookie: {response.headers.getlist('Set-Cookie')}")


def test_the_session_cookie_is_httponly_and_samesite_lax(app, api, patient):
    response = api.login(patient)
    cookie, header = session_cookie(response, app.config["SESSION_COOKIE_NAME"])
    assert cookie["httponly"], header
    assert cookie["samesite"].lower() == "lax", header


def production_login(make_app, users, referer: str):
    """A production app over HTTPS, and its answer to a patient's login sent from `referer`."""
    app = make_app(DIARY_ENV="production", SECRET_KEY="x" * 32, **PRODUCTION_PUSH)
    with app.app_context():
        email = users.patient().email
    client = app.test_client()
    https = {"base_url": "https://diary.example.test"}
    token = client.get("/api/v1/auth/csrf", **https).get_json()["csrf_token"]
    response = client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": PASSWORD},
        headers={"X-CSRFToken": token, "Referer": referer},
        **https,
    )
    return app, response


def test_in_production_the_session_cookie_is_also_secure(make_app, users):
    app, response = production_login(make_app, users, "https://diary.example.test/login")
    assert response.status_code == 200, response.get_json()
    cookie, header = session_cookie(response, app.config["SESSION_COOKIE_NAME"])
    assert cookie["secure"], header
    assert cookie["httponly"], header
    assert cookie["samesite"].lower() == "lax", header
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert_security_headers(response)


def test_in_production_a_cross_site_https_referer_is_refused(make_app, users):
    _, response = production_login(make_app, users, "https://evil.example/")
    assert_problem(response, 400)
