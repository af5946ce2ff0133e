"""Devices (docs/accounts.md): each login's device, address and last use, listed and ended on
the API and the account page; a device new to an account is told by email; disabled accounts."""

from __future__ import annotations

import re
import uuid
from datetime import time

import pytest

from diary.devices import describe_device
from diary.extensions import db
from diary.models import LoginSession
from diary.operations.logins import disable_account

from . import clock
from .factories import PASSWORD, ApiClient
from .mailbox import text_of

ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.mark.parametrize(
    ("agent", "words"),
    [
        (ANDROID_CHROME, "Chrome on Android"),
        (IPHONE_SAFARI, "Safari on iPhone"),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Linux"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/18.1 Safari/605.1.15",
            "Safari on Mac",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
            "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
            "Samsung Internet on Android",
        ),
        ("curl/8.5.0", "curl"),
        ("", "An unknown browser"),
        (None, "An unknown browser"),
    ],
)
def test_a_device_is_named_in_a_few_words(agent, words):
    assert describe_device(agent) == words


def login_from(app, user, agent: str, **environ) -> ApiClient:
    client = ApiClient(app.test_client())
    client.client.environ_base.update({"HTTP_USER_AGENT": agent, **environ})
    client.login(user)
    return client


def test_my_sessions_lists_each_login_with_its_device(app, patient):
    phone = login_from(app, patient, ANDROID_CHROME)
    login_from(app, patient, IPHONE_SAFARI)
    sessions = phone.get("/api/v1/me/sessions").get_json()["sessions"]
    assert sorted(s["device"] for s in sessions) == ["Chrome on Android", "Safari on iPhone"]
    [current] = [s for s in sessions if s["current"]]
    assert current["device"] == "Chrome on Android"
    assert current["address"] == "127.0.0.1"
    assert current["last_seen_at"] is not None
    assert all(
        set(s) == {"id", "device", "address", "created_at", "last_seen_at", "current"} for s in sessions
    )
    uuid.UUID(current["id"])  # an opaque UUID, never the token


def test_ending_another_login_logs_that_device_out(app, patient):
    phone = login_from(app, patient, ANDROID_CHROME)
    laptop = login_from(app, patient, IPHONE_SAFARI)
    [other] = [s for s in phone.get("/api/v1/me/sessions").get_json()["sessions"] if not s["current"]]
    assert phone.delete(f"/api/v1/me/sessions/{other['id']}").status_code == 204
    assert laptop.get("/api/v1/me").status_code == 401
    assert phone.get("/api/v1/me").status_code == 200
    assert phone.delete(f"/api/v1/me/sessions/{other['id']}").status_code == 404  # already ended


def test_another_users_login_is_404(app, users):
    mine, theirs = users.patient(), users.therapist()
    me = login_from(app, mine, ANDROID_CHROME)
    them = login_from(app, theirs, IPHONE_SAFARI)
    [their_login] = them.get("/api/v1/me/sessions").get_json()["sessions"]
    answer = me.delete(f"/api/v1/me/sessions/{their_login['id']}")
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"
    assert me.delete(f"/api/v1/me/sessions/{uuid.uuid4()}").status_code == 404
    assert them.get("/api/v1/me").status_code == 200  # still logged in


def test_the_address_is_the_proxys_client_when_proxies_are_trusted(make_app, users):
    app = make_app(TRUST_PROXY_HOPS=1)
    with app.app_context():
        patient = users.patient()
        client = login_from(app, patient, ANDROID_CHROME, HTTP_X_FORWARDED_FOR="203.0.113.7")
        [login] = client.get("/api/v1/me/sessions").get_json()["sessions"]
    assert login["address"] == "203.0.113.7"


def test_last_seen_is_written_at_most_once_a_minute(app, patient, count_statements):
    day = clock.today()
    with clock.stopped_at(day, time(9)):
        client = login_from(app, patient, ANDROID_CHROME)
    with clock.stopped_at(day, time(9, 0, 50)), count_statements() as within:
        client.get("/api/v1/me")
    with clock.stopped_at(day, time(9, 1, 1)) as later, count_statements() as after:
        client.get("/api/v1/me")
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in within.statements)
    assert sum(s.lstrip().upper().startswith("UPDATE") for s in after.statements) == 1
    db.session.expire_all()
    [login] = db.session.scalars(db.select(LoginSession).where(LoginSession.user_id == patient.id)).all()
    assert login.last_seen_at == later


def test_a_new_device_is_told_by_email_and_a_known_one_is_not(app, patient, mailbox):
    app.config["NEW_SIGN_IN_EMAIL"] = True
    phone = login_from(app, patient, ANDROID_CHROME)
    [message] = mailbox.wait_for(1)
    assert message["To"] == patient.email
    assert message["Subject"] == "New sign-in to your headache diary"
    body = text_of(message)
    assert "Chrome on Android" in body
    assert "https://diary.clinic.test/forgot-password" in body
    assert phone.post("/api/v1/auth/logout").status_code == 204
    phone._csrf = None  # logging out ended the session its token belonged to
    phone.login(patient)  # the same phone again: its device cookie names the account
    login_from(app, patient, IPHONE_SAFARI)  # another device
    messages = mailbox.wait_for(2)
    assert sorted(re.search(r"(\w+ on \w+)", text_of(m)).group(1) for m in messages) == [
        "Chrome on Android",
        "Safari on iPhone",
    ]


def test_registering_is_not_a_new_sign_in(app, api, mailbox):
    app.config["NEW_SIGN_IN_EMAIL"] = True
    new = {"email": "new-here@example.test", "password": PASSWORD, "display_name": "New"}
    assert api.post("/api/v1/auth/register", json=new).status_code == 201
    other = ApiClient(app.test_client())
    other.post("/api/v1/auth/login", json={"email": new["email"], "password": PASSWORD})
    [message] = mailbox.wait_for(1)  # the other device's login, not the registration
    assert message["To"] == "new-here@example.test"


def test_a_disabled_account_cannot_log_in_and_says_so_only_after_the_right_password(app, api, patient):
    client = login_from(app, patient, ANDROID_CHROME)
    disable_account(patient.email)
    assert client.get("/api/v1/me").status_code == 401  # its logins ended at once
    wrong = api.post("/api/v1/auth/login", json={"email": patient.email, "password": "not-the-password-1"})
    assert wrong.status_code == 401
    assert "disabled" not in wrong.get_data(as_text=True)
    right = api.post("/api/v1/auth/login", json={"email": patient.email, "password": PASSWORD})
    assert right.status_code == 403
    assert right.get_json()["detail"] == "This account is disabled; contact your clinic."
    assert api.get("/api/v1/me").status_code == 401


def test_a_disabled_account_is_logged_out_even_with_a_login_left(app, patient):
    """Belt and braces: a login row that outlived the disabling does not let the user in."""
    client = login_from(app, patient, ANDROID_CHROME)
    patient.disabled_at = clock.now()
    db.session.commit()
    assert client.get("/api/v1/me").status_code == 401


def test_the_account_page_lists_devices_and_ends_another(app, patient):
    phone = login_from(app, patient, ANDROID_CHROME)
    login_from(app, patient, IPHONE_SAFARI)
    page = phone.client.get("/account").get_data(as_text=True)
    assert "Where you are logged in" in page
    assert re.search(r"Chrome on Android\s*<span class=\"badge\">this device</span>", page)
    assert "Safari on iPhone" in page
    [action] = re.findall(r'action="(/account/devices/[0-9a-f-]+/end)"', page)  # not this device
    ended = phone.client.post(action, data={"csrf_token": phone.csrf_token()})
    assert ended.status_code == 302
    page = phone.client.get(ended.headers["Location"]).get_data(as_text=True)
    assert "That device is logged out." in page
    assert "Safari on iPhone" not in page


def test_the_page_cannot_end_another_users_login(app, users):
    mine, theirs = users.patient(), users.patient()
    me = login_from(app, mine, ANDROID_CHROME)
    them = login_from(app, theirs, IPHONE_SAFARI)
    [their_login] = them.get("/api/v1/me/sessions").get_json()["sessions"]
    answer = me.client.post(f"/account/devices/{their_login['id']}/end", data={"csrf_token": me.csrf_token()})
    assert answer.status_code == 404
    assert them.get("/api/v1/me").status_code == 200


def test_logins_are_listed_most_recently_used_first(app, patient):
    day = clock.today()
    with clock.stopped_at(day, time(8)):
        login_from(app, patient, IPHONE_SAFARI)
    with clock.stopped_at(day, time(9)):
        phone = login_from(app, patient, ANDROID_CHROME)
        sessions = phone.get("/api/v1/me/sessions").get_json()["sessions"]
    assert [s["device"] for s in sessions] == ["Chrome on Android", "Safari on iPhone"]
