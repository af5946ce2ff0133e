"""Login attempts are limited per account (failures only) and per client address, with a 429
problem and Retry-After; a device that logged in before is not locked out by failures from
elsewhere; registrations are limited per address; no key holds a plain email; with Redis the
limits hold across worker processes (docs/security.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from diary.extensions import limiter

from .factories import PASSWORD, ApiClient

LOGIN = "/api/v1/auth/login"
REGISTER = "/api/v1/auth/register"
DEVICE_COOKIE = "diary_device"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
ROOT = Path(__file__).resolve().parent.parent


def assert_limited(response) -> None:
    assert response.status_code == 429, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 429 and body["title"] and body["detail"] and body["type"]
    retry_after = response.headers["Retry-After"]
    assert retry_after.isdigit() and 0 < int(retry_after) <= 60, retry_after


def attempt(client: ApiClient, email: str, password: str, address: str = "127.0.0.1"):
    response = client.post(
        LOGIN, json={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )
    if response.status_code == 200:
        client._csrf = None  # a login starts a new session, with a new token
    return response


@pytest.fixture
def limited(make_app, users):
    """An app with small login limits, and two accounts on it: (app, client, email, other)."""

    def build(per_account: str = "100 per minute", per_address: str = "100 per minute", **extra):
        app = make_app(LOGIN_LIMIT_PER_ACCOUNT=per_account, LOGIN_LIMIT_PER_ADDRESS=per_address, **extra)
        with app.app_context():
            emails = users.patient().email, users.patient().email
        return app, ApiClient(app.test_client()), *emails

    return build


# -- Per account ------------------------------------------------------------------------------


def test_failed_logins_are_limited_per_account_from_any_address(limited):
    app, client, email, other = limited(per_account="3 per minute")
    for n in range(3):
        assert attempt(client, email, "wrong-guess", f"10.0.0.{n}").status_code == 401
    assert_limited(attempt(client, email, "wrong-guess", "10.0.0.9"))
    assert_limited(attempt(client, email, PASSWORD, "10.0.1.1"))  # even the right password waits
    assert attempt(client, other, PASSWORD, "10.0.0.9").status_code == 200


def test_the_account_limit_ignores_the_case_of_the_email(limited):
    app, client, email, other = limited(per_account="3 per minute")
    for variant in (email, email.upper(), f"  {email.title()} "):
        assert attempt(client, variant, "wrong-guess").status_code == 401
    assert_limited(attempt(client, email, PASSWORD))


def test_successful_logins_do_not_count_against_the_account(limited):
    app, client, email, other = limited(per_account="3 per minute")
    for _ in range(6):
        assert attempt(client, email, PASSWORD).status_code == 200


def test_an_unknown_email_is_limited_like_a_real_one(limited):
    app, client, email, other = limited(per_account="3 per minute")
    for _ in range(3):
        assert attempt(client, "nobody@example.test", "wrong-guess").status_code == 401
    assert_limited(attempt(client, "nobody@example.test", "wrong-guess"))


def test_api_and_html_logins_share_the_account_allowance(limited):
    app, client, email, other = limited(per_account="3 per minute")
    assert attempt(client, email, "wrong-guess").status_code == 401
    assert attempt(client, email, "wrong-guess").status_code == 401
    page = client.client.post(
        "/login", data={"email": email, "password": "wrong-guess", "csrf_token": client.csrf_token()}
    )
    assert page.status_code == 401
    assert_limited(attempt(client, email, PASSWORD))


# -- Per address ------------------------------------------------------------------------------


def test_logins_are_limited_per_address(limited):
    app, client, email, other = limited(per_address="3 per minute")
    assert attempt(client, email, PASSWORD, "10.0.0.1").status_code == 200
    assert attempt(client, other, "wrong-guess", "10.0.0.1").status_code == 401
    assert attempt(client, "nobody@example.test", "wrong-guess", "10.0.0.1").status_code == 401
    assert_limited(attempt(client, other, PASSWORD, "10.0.0.1"))
    assert attempt(client, other, PASSWORD, "10.0.0.2").status_code == 200


def test_a_limited_login_does_not_log_in(limited):
    app, client, email, other = limited(per_account="1 per minute")
    attempt(client, email, "wrong-guess")
    assert_limited(attempt(client, email, PASSWORD))
    assert client.get("/api/v1/me").status_code == 401


def test_viewing_the_login_page_uses_up_no_allowance(limited):
    app, client, email, other = limited(per_account="3 per minute", per_address="3 per minute")
    for _ in range(10):
        assert client.get("/login", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200
    assert attempt(client, email, PASSWORD, "10.0.0.1").status_code == 200


def test_failures_without_an_email_do_not_close_the_login_page(limited):
    app, client, email, other = limited(per_account="3 per minute")
    for n in range(4):
        client.client.post(
            "/login",
            data={"email": "", "password": "x", "csrf_token": client.csrf_token()},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
        )
    assert client.get("/login", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200


# -- Devices that logged in before (OWASP device cookies) -------------------------------------


def log_out(client: ApiClient) -> None:
    assert client.post("/api/v1/auth/logout").status_code == 204
    client._csrf = None


def test_failures_from_unknown_devices_do_not_lock_out_a_device_that_logged_in_before(limited):
    app, owner, email, other = limited(per_account="3 per minute")
    assert attempt(owner, email, PASSWORD, "10.0.0.1").status_code == 200
    log_out(owner)
    stranger = ApiClient(app.test_client())
    for n in range(3):
        assert attempt(stranger, email, "wrong-guess", f"10.6.6.{n}").status_code == 401
    assert_limited(attempt(stranger, email, PASSWORD, "10.6.6.9"))
    assert attempt(owner, email, PASSWORD, "10.0.0.1").status_code == 200


def test_the_html_login_trusts_the_device_too(limited):
    app, owner, email, other = limited(per_account="2 per minute")
    page = owner.client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": owner.csrf_token()}
    )
    assert page.status_code == 302
    owner._csrf = None
    stranger = ApiClient(app.test_client())
    for _ in range(2):
        attempt(stranger, email, "wrong-guess", "10.6.6.6")
    assert_limited(attempt(stranger, email, PASSWORD, "10.6.6.6"))
    assert attempt(owner, email, PASSWORD).status_code == 200


def test_a_known_device_is_still_limited_by_its_own_failures(limited):
    app, owner, email, other = limited(per_account="3 per minute")
    assert attempt(owner, email, PASSWORD).status_code == 200
    log_out(owner)
    for _ in range(3):
        assert attempt(owner, email, "wrong-guess").status_code == 401
    assert_limited(attempt(owner, email, PASSWORD))
    # Its failures were its own: a new device still has the account's allowance.
    assert attempt(ApiClient(app.test_client()), email, PASSWORD).status_code == 200


def test_a_device_is_known_only_for_the_accounts_it_logged_in_to(limited):
    app, device, email, other = limited(per_account="2 per minute")
    assert attempt(device, other, PASSWORD).status_code == 200
    for _ in range(2):
        assert attempt(device, email, "wrong-guess").status_code == 401
    assert_limited(attempt(ApiClient(app.test_client()), email, PASSWORD))
    assert_limited(attempt(device, email, PASSWORD))


def test_a_forged_device_cookie_counts_as_an_unknown_device(limited):
    app, client, email, other = limited(per_account="2 per minute")
    for _ in range(2):
        assert attempt(client, email, "wrong-guess").status_code == 401
    client.client.set_cookie(DEVICE_COOKIE, '{"device": "mine", "accounts": []}')
    assert_limited(attempt(client, email, PASSWORD))


def test_after_an_erasure_the_device_is_no_longer_known_for_that_email(limited):
    app, device, email, other = limited(per_account="2 per minute")
    assert attempt(device, email, PASSWORD).status_code == 200
    assert device.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204
    device._csrf = None
    newcomer = ApiClient(app.test_client())
    assert register(newcomer, email, "10.0.0.5").status_code == 201  # the address is free again
    for _ in range(2):
        assert attempt(ApiClient(app.test_client()), email, "wrong-guess").status_code == 401
    assert_limited(attempt(device, email, "copper-meadow-lantern-82"))


def test_the_device_cookie_is_httponly_and_names_the_account_without_its_email(limited):
    app, client, email, other = limited()
    response = attempt(client, email, PASSWORD)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(DEVICE_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert email.split("@")[0] not in cookie.lower()


# -- Registration -----------------------------------------------------------------------------


def register(client: ApiClient, email: str, address: str):
    response = client.post(
        REGISTER,
        environ_base={"REMOTE_ADDR": address},
        json={
            "email": email,
            "password": "copper-meadow-lantern-82",
            "display_name": "Jo Bloggs",
            "timezone": "Europe/London",
        },
    )
    client._csrf = None  # a registration logs in: a new session, with a new token
    return response


def test_registrations_are_limited_per_address_for_the_api_and_the_pages_alike(limited):
    app, client, email, other = limited(REGISTER_LIMIT_PER_ADDRESS="2 per minute")
    assert register(client, "new1@example.test", "10.0.0.1").status_code == 201
    assert register(client, "new2@example.test", "10.0.0.1").status_code == 201
    assert_limited(register(client, "new3@example.test", "10.0.0.1"))
    page = client.client.post(
        "/register",
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
        data={"email": "new4@example.test", "csrf_token": client.csrf_token()},
    )
    assert page.status_code == 429
    assert client.client.get("/register", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200
    assert register(client, "new5@example.test", "10.0.0.2").status_code == 201


# -- No plain email in a key ------------------------------------------------------------------


def test_the_memory_store_keys_hold_no_plain_email(limited):
    app, client, email, other = limited()
    attempt(client, email, "wrong-guess")
    attempt(client, "nobody@example.test", "wrong-guess")
    storage = limiter.storage
    keys = {*storage.storage, *storage.expirations, *storage.events}
    assert any("login-account" in key for key in keys), keys
    assert not [key for key in keys if "@" in key or email.split("@")[0] in key or "nobody" in key]


# -- Two workers sharing Redis ----------------------------------------------------------------

WORKER = """
import json, sys
from diary import create_app
from tests.conftest import IsolatedClient, test_config
url, redis_url, prefix, email, tries = sys.argv[1:6]
app = create_app(test_config(url, REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url,
                             RATELIMIT_KEY_PREFIX=prefix, LOGIN_LIMIT_PER_ACCOUNT="3 per minute"))
app.test_client_class = IsolatedClient
client = app.test_client()
token = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
codes = []
for _ in range(int(tries)):
    response = client.post("/api/v1/auth/login", headers={"X-CSRFToken": token},
                           json={"email": email, "password": "wrong-guess"},
                           environ_base={"REMOTE_ADDR": "10.9.9.9"})
    codes.append(response.status_code)
print(json.dumps(codes))
"""


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in Redis; its keys are deleted afterwards."""
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(
            f"Redis is needed for the shared-limit test and is not reachable at "
            f"{REDIS_URL}: {error}. Start it or set TEST_REDIS_URL."
        )
    prefix = f"diary-test-{uuid.uuid4().hex[:12]}"
    # The Limiter is one object for every app in this process and keeps the first key prefix it
    # was given; start and end without one so this test neither inherits nor leaks a prefix.
    limiter._key_prefix = ""
    yield prefix
    limiter._key_prefix = ""
    keys = list(connection.scan_iter(match=f"*{prefix}*"))
    if keys:
        connection.delete(*keys)
    connection.close()


def run_worker(database_url: str, prefix: str, email: str, tries: int) -> list[int]:
    """Login attempts from another process: a second worker with its own Limiter and memory."""
    result = subprocess.run(
        [sys.executable, "-c", WORKER, database_url, REDIS_URL, prefix, email, str(tries)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "error"},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.real_clock  # the worker process is not travelled by DIARY_TEST_NOW
def test_the_account_limit_holds_across_workers_sharing_redis(limited, database_url, redis_prefix):
    app, client, email, other = limited(
        per_account="3 per minute",
        REDIS_URL=REDIS_URL,
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_KEY_PREFIX=redis_prefix,
    )
    assert attempt(client, email, "wrong-guess", "10.0.0.1").status_code == 401
    assert attempt(client, email, "wrong-guess", "10.0.0.2").status_code == 401

    # The other worker sees the two failures above: one more is allowed, then it is refused.
    assert run_worker(database_url, redis_prefix, email, tries=2) == [401, 429]

    # And this worker sees the other's failure.
    assert_limited(attempt(client, email, PASSWORD, "10.0.0.3"))
    assert attempt(client, other, PASSWORD, "10.0.0.3").status_code == 200

    import redis

    keys = [key.decode() for key in redis.Redis.from_url(REDIS_URL).scan_iter(match=f"*{redis_prefix}*")]
    assert keys, "the limits were not kept in Redis"
    assert not [key for key in keys if "@" in key or email.split("@")[0] in key], keys
