"""Two-step sign-in (docs/second-factor.md): real TOTP codes from pyotp at instants the clock is
stopped at, recovery codes, the login's second step, the therapist gate, and `users reset-mfa`.
Passkeys are tested in Chromium (tests/browser/test_passkeys.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from diary.second_factor import TOTP_STEP

from . import clock
from .authenticator import SoftAuthenticator
from .factories import PASSWORD, ApiClient


@pytest.fixture
def at():
    """`with at(minutes): ...`: the clock stopped that many minutes after a start a little ahead
    of now (10 seconds into a time step), so that it only moves forwards: a session cookie
    signed later than the clock reads is refused."""
    start = clock.now() + timedelta(minutes=2)
    start = start - timedelta(seconds=start.timestamp() % TOTP_STEP - 10)

    def stopped(minutes: float = 0):
        instant = start + timedelta(minutes=minutes)
        return clock.stopped_at(instant.date(), instant.time(), zone=UTC)

    return stopped


def code_at(secret: str, instant: datetime, steps: int = 0) -> str:
    """The code an authenticator app shows `steps` time steps from `instant`."""
    return pyotp.TOTP(secret).at(instant + timedelta(seconds=steps * TOTP_STEP))


def turn_on(client: ApiClient, at, minutes: float = 0) -> tuple[str, list[str]]:
    """Two-step sign-in turned on through the API: (secret, recovery codes)."""
    with at(minutes) as now:
        started = client.post("/api/v1/me/mfa/totp")
        assert started.status_code == 201, started.get_json()
        secret = started.get_json()["secret"]
        confirmed = client.post("/api/v1/me/mfa/totp/confirm", json={"code": code_at(secret, now)})
        assert confirmed.status_code == 200, confirmed.get_json()
    return secret, confirmed.get_json()["recovery_codes"]


def password_step(client: ApiClient, user) -> dict:
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 202, response.get_json()
    return response.get_json()


def second_step(client: ApiClient, method: str, code: str):
    return client.post("/api/v1/auth/login/second-factor", json={"method": method, "code": code})


def test_turning_on_gives_a_key_and_ten_one_use_recovery_codes(patient, as_user, at):
    me = as_user(patient)
    with at() as now:
        started = me.post("/api/v1/me/mfa/totp").get_json()
        assert started["otpauth_uri"].startswith("otpauth://totp/Headache%20diary:")
        assert f"secret={started['secret']}" in started["otpauth_uri"]
        wrong = me.post("/api/v1/me/mfa/totp/confirm", json={"code": code_at(started["secret"], now, 3)})
        assert wrong.status_code == 422
        assert wrong.headers["Content-Type"] == "application/problem+json"
        assert "code" in wrong.get_json()["errors"]
        right = me.post("/api/v1/me/mfa/totp/confirm", json={"code": code_at(started["secret"], now)})
    codes = right.get_json()["recovery_codes"]
    assert right.status_code == 200 and len(codes) == 10 == len(set(codes))
    with at(1):  # on: a second key cannot replace it unseen
        assert me.post("/api/v1/me/mfa/totp").status_code == 409


def test_the_password_alone_no_longer_logs_in(patient, as_user, new_api, at):
    turn_on(as_user(patient), at)
    phone = new_api()
    with at(1):
        assert password_step(phone, patient) == {"second_factor": ["totp", "recovery_code"]}
        assert phone.get("/api/v1/me").status_code == 401
        assert phone.get("/api/v1/patients/me/days").status_code == 401


def test_a_code_one_step_either_side_is_accepted_and_two_steps_away_refused(patient, as_user, new_api, at):
    secret, _ = turn_on(as_user(patient), at)
    answers = {}
    with at(5) as now:
        for steps in (-2, -1, 0, 1, 2):  # in order: each accepted step is later than the last used
            phone = new_api()
            password_step(phone, patient)
            answer = second_step(phone, "totp", code_at(secret, now, steps))
            answers[steps] = (answer.status_code, phone.get("/api/v1/me").status_code)
    assert answers == {-2: (401, 401), -1: (200, 200), 0: (200, 200), 1: (200, 200), 2: (401, 401)}


def test_a_code_cannot_be_used_twice(patient, as_user, new_api, at):
    secret, _ = turn_on(as_user(patient), at)
    first, second = new_api(), new_api()
    with at(5) as now:
        code = code_at(secret, now)
        password_step(first, patient)
        assert second_step(first, "totp", code).status_code == 200
        password_step(second, patient)
        assert second_step(second, "totp", code).status_code == 401
        # Nor the code of the step before, once a later one was used.
        assert second_step(second, "totp", code_at(secret, now, -1)).status_code == 401
        assert second.get("/api/v1/me").status_code == 401
    with at(6) as now:
        assert second_step(second, "totp", code_at(secret, now)).status_code == 200


def test_the_confirming_code_does_not_log_in_again(patient, as_user, new_api, at):
    secret, _ = turn_on(as_user(patient), at)
    phone = new_api()
    with at() as now:  # the very step whose code confirmed the key
        password_step(phone, patient)
        assert second_step(phone, "totp", code_at(secret, now)).status_code == 401


def test_each_recovery_code_works_once_typed_any_way(patient, as_user, new_api, at):
    _, codes = turn_on(as_user(patient), at)
    first, second = new_api(), new_api()
    with at(1):
        password_step(first, patient)
        typed = codes[0].upper().replace("-", " ")
        assert second_step(first, "recovery_code", typed).status_code == 200
        assert first.get("/api/v1/me").status_code == 200
        password_step(second, patient)
        assert second_step(second, "recovery_code", codes[0]).status_code == 401
        assert second_step(second, "recovery_code", "aaaa-bbbb-cccc-dddd").status_code == 401
        assert second_step(second, "recovery_code", codes[1]).status_code == 200


def test_the_second_step_waits_five_minutes_at_most(patient, as_user, new_api, at):
    secret, codes = turn_on(as_user(patient), at)
    phone = new_api()
    with at(1):
        password_step(phone, patient)
    with at(6.5) as now:
        assert second_step(phone, "totp", code_at(secret, now)).status_code == 401
        assert second_step(phone, "recovery_code", codes[0]).status_code == 401
    with at(7) as now:
        password_step(phone, patient)
        assert second_step(phone, "recovery_code", codes[0]).status_code == 200


def test_no_second_step_without_the_password_first(patient, as_user, new_api, at):
    _, codes = turn_on(as_user(patient), at)
    stranger = new_api()
    with at(1):
        assert second_step(stranger, "recovery_code", codes[0]).status_code == 401
        assert stranger.get("/api/v1/me").status_code == 401
        # A wrong password leaves no second step waiting either.
        wrong = stranger.post(
            "/api/v1/auth/login", json={"email": patient.email, "password": "not-it-at-all-9"}
        )
        assert wrong.status_code == 401
        assert second_step(stranger, "recovery_code", codes[0]).status_code == 401


def test_wrong_codes_are_limited_like_logins(make_app, users, at):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes")
    with app.app_context():
        patient = users.patient()
        me = ApiClient(app.test_client())
        me.login(patient)
        _, codes = turn_on(me, at)
        phone = ApiClient(app.test_client())
        with at(1):
            password_step(phone, patient)
            answers = [second_step(phone, "recovery_code", f"wrong-{n}").status_code for n in range(4)]
            assert answers == [401, 401, 401, 429]
            assert second_step(phone, "recovery_code", codes[0]).status_code == 429


def test_turning_off_needs_the_password_and_removes_the_second_step(patient, as_user, new_api, at):
    me = as_user(patient)
    turn_on(me, at)
    with at(1):
        assert me.delete("/api/v1/me/mfa/totp", json={"password": "not-my-password-1"}).status_code == 422
        assert me.delete("/api/v1/me/mfa/totp", json={"password": PASSWORD}).status_code == 204
        assert new_api().login(patient).status_code == 200


def test_users_reset_mfa_removes_every_second_factor_and_ends_every_login(app, patient, as_user, new_api, at):
    lost_phone = as_user(patient)
    turn_on(lost_phone, at)
    result = app.test_cli_runner().invoke(args=["users", "reset-mfa", "--email", patient.email.upper()])
    assert result.exit_code == 0, result.output
    assert "1 logins ended" in result.output
    with at(1):
        assert lost_phone.get("/api/v1/me").status_code == 401
        assert new_api().login(patient).status_code == 200
    unknown = app.test_cli_runner().invoke(args=["users", "reset-mfa", "--email", "nobody@example.test"])
    assert unknown.exit_code == 1


# -- The pages ---------------------------------------------------------------------------------


def form(client: ApiClient, url: str, **fields):
    return client.client.post(url, data={"csrf_token": client.csrf_token(), **fields})


def test_the_pages_set_it_up_log_in_with_it_and_turn_it_off(patient, as_user, new_api, at):
    me = as_user(patient)
    with at() as now:
        page = me.client.get("/account/two-step").get_data(as_text=True)
        secret = re.search(r"<code>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
        assert me.client.get("/account/two-step/qr.svg").mimetype == "image/svg+xml"
        assert form(me, "/account/two-step", code="000000").status_code == 422
        shown = form(me, "/account/two-step", code=code_at(secret, now))
        assert shown.status_code == 200
        assert (
            len(
                re.findall(
                    r"<li><code>[a-z2-7]{4}(?:-[a-z2-7]{4}){3}</code></li>", shown.get_data(as_text=True)
                )
            )
            == 10
        )
        assert me.client.get("/account/two-step/qr.svg").status_code == 404  # never shown again
    phone = new_api()
    with at(1) as now:
        asked = form(phone, "/login", email=patient.email, password=PASSWORD, next="/calendar")
        assert asked.headers["Location"] == "/login/two-step"
        assert phone.client.get("/today").status_code == 302  # not logged in yet
        assert 'autocomplete="one-time-code"' in phone.client.get("/login/two-step").get_data(as_text=True)
        assert form(phone, "/login/two-step", method="totp", code="000000").status_code == 401
        done = form(phone, "/login/two-step", method="totp", code=code_at(secret, now))
        assert done.headers["Location"] == "/calendar"
        assert phone.client.get("/today").status_code == 200
        assert form(me, "/account/two-step/off", password="not-my-password-1").status_code == 422
        assert form(me, "/account/two-step/off", password=PASSWORD).status_code == 302
        assert new_api().login(patient).status_code == 200


# -- Passkeys, through the API (a software authenticator; Chromium's in tests/browser) ----------


def add_passkey(client: ApiClient, authenticator: SoftAuthenticator, name: str = "Laptop"):
    options = client.post("/api/v1/me/mfa/passkeys/options")
    assert options.status_code == 200, options.get_json()
    credential = authenticator.create(options.get_json())
    return client.post("/api/v1/me/mfa/passkeys", json={"credential": credential, "name": name})


def passkey_step(client: ApiClient, authenticator: SoftAuthenticator):
    options = client.post("/api/v1/auth/login/passkey/options")
    assert options.status_code == 200, options.get_json()
    return client.post(
        "/api/v1/auth/login/passkey", json={"credential": authenticator.get(options.get_json())}
    )


def test_a_passkey_is_a_second_factor(patient, as_user, new_api):
    me, key = as_user(patient), SoftAuthenticator()
    added = add_passkey(me, key)
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["name"] == "Laptop"
    assert [k["name"] for k in me.get("/api/v1/me/mfa/passkeys").get_json()["passkeys"]] == ["Laptop"]
    assert add_passkey(me, key).status_code == 409  # the same one again
    phone = new_api()
    assert password_step(phone, patient) == {"second_factor": ["passkey"]}
    assert passkey_step(phone, key).status_code == 200
    assert phone.get("/api/v1/me").get_json()["email"] == patient.email


def test_a_passkey_answer_is_refused_for_another_challenge_or_another_key(patient, as_user, new_api):
    me, key = as_user(patient), SoftAuthenticator()
    assert add_passkey(me, key).status_code == 201
    phone = new_api()
    password_step(phone, patient)
    options = phone.post("/api/v1/auth/login/passkey/options").get_json()
    stale = key.get(options)
    assert phone.post("/api/v1/auth/login/passkey", json={"credential": stale}).status_code == 200
    other = new_api()
    password_step(other, patient)
    other.post("/api/v1/auth/login/passkey/options")
    assert other.post("/api/v1/auth/login/passkey", json={"credential": stale}).status_code == 401
    assert passkey_step(other, SoftAuthenticator()).status_code == 401
    assert other.get("/api/v1/me").status_code == 401
    assert passkey_step(other, key).status_code == 200
    # Options for a passkey login need the password first.
    assert new_api().post("/api/v1/auth/login/passkey/options").status_code == 401


def test_a_passkey_is_removed_with_the_password_by_its_owner_only(patient, users, as_user, new_api):
    me = as_user(patient)
    passkey_id = add_passkey(me, SoftAuthenticator()).get_json()["id"]
    url = f"/api/v1/me/mfa/passkeys/{passkey_id}"
    assert as_user(users.patient()).delete(url, json={"password": PASSWORD}).status_code == 404
    assert me.delete(url, json={"password": "not-my-password-1"}).status_code == 422
    assert me.delete(url, json={"password": PASSWORD}).status_code == 204
    assert me.delete(url, json={"password": PASSWORD}).status_code == 404
    assert new_api().login(patient).status_code == 200


# -- The therapist gate (THERAPIST_MFA=required) ------------------------------------------------


@pytest.fixture
def gated(make_app):
    """An app that requires a therapist's second factor, in its app context."""
    app = make_app(THERAPIST_MFA="required")
    with app.app_context():
        yield app


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, app.view_functions[rule.endpoint]


def test_a_therapist_without_a_second_factor_reaches_only_its_set_up(gated, users):
    therapist = users.therapist()
    desk = ApiClient(gated.test_client())
    desk.login(therapist)  # the password alone logs in: there is nothing else to ask yet
    ids = {"pid": "me", "day": "2026-01-05", "sid": "00000000-0000-4000-8000-000000000000"}
    checked, failures = 0, []
    for rule, method, view in _routes(gated):
        if view.access_rule in ("anyone", "patient", "patient_page") or not view.second_factor_gated:
            continue
        values = {name: ids.get(name, "00000000-0000-4000-8000-000000000000") for name in rule.arguments}
        _, url = rule.build(values, append_unknown=False)
        if url.startswith("/api/"):
            response = desk.request(method, url, json={})
            body = response.get_json(silent=True) or {}
            if response.status_code != 403 or body.get("type") != "second_factor_setup_required":
                failures.append(f"{method} {url}: {response.status_code} {body.get('type')}")
        else:
            headers = {"X-CSRFToken": desk.csrf_token()}
            response = desk.client.open(url, method=method, data={}, headers=headers)
            if response.status_code != 302 or not response.headers["Location"].endswith("/account/two-step"):
                failures.append(f"{method} {url}: {response.status_code}")
        checked += 1
    assert checked > 20
    assert failures == []
    # What it does reach: the account, logging out, and setting up the second factor.
    assert desk.get("/api/v1/me").status_code == 200
    assert desk.client.get("/account").status_code == 200
    assert desk.client.get("/account/two-step").status_code == 200
    assert desk.client.get("/account/two-step/qr.svg").mimetype == "image/svg+xml"


def test_a_therapist_with_a_second_factor_passes_the_gate_and_cannot_turn_it_off(gated, users, at):
    therapist = users.therapist()
    desk = ApiClient(gated.test_client())
    desk.login(therapist)
    assert desk.get("/api/v1/patients").status_code == 403
    secret, _ = turn_on(desk, at)
    with at(1):
        assert desk.get("/api/v1/patients").status_code == 200
        assert desk.client.get("/therapist").status_code == 200
        refused = desk.delete("/api/v1/me/mfa/totp", json={"password": PASSWORD})
        assert refused.status_code == 403
        assert desk.get("/api/v1/patients").status_code == 200
    other = ApiClient(gated.test_client())
    with at(2) as now:
        assert password_step(other, therapist) == {"second_factor": ["totp", "recovery_code"]}
        assert second_step(other, "totp", code_at(secret, now)).status_code == 200
        assert other.get("/api/v1/patients").status_code == 200


def test_patients_and_the_optional_setting_are_not_gated(make_app, users):
    app = make_app(THERAPIST_MFA="optional")
    with app.app_context():
        desk = ApiClient(app.test_client())
        desk.login(users.therapist())
        assert desk.get("/api/v1/patients").status_code == 200
    gated = make_app(THERAPIST_MFA="required")
    with gated.app_context():
        phone = ApiClient(gated.test_client())
        phone.login(users.patient())
        assert phone.get("/api/v1/patients/me/days").status_code == 200


def test_the_setting_is_checked_at_start(tmp_path):
    from diary.config import ConfigError, build_config

    assert build_config(str(tmp_path), {"SECRET_KEY": "x"})["THERAPIST_MFA"] == "required"
    with pytest.raises(ConfigError, match="THERAPIST_MFA"):
        build_config(str(tmp_path), {"SECRET_KEY": "x", "THERAPIST_MFA": "sometimes"})
