"""Password reset (docs/accounts.md): a one-use link by real email, valid for an hour; the same
answer, and the same work, whether or not the address has an account; every login ends."""

from __future__ import annotations

import re
import threading
import time as timer
from datetime import time

import pytest

from diary.extensions import db
from diary.models import PasswordResetToken

from . import clock
from .factories import PASSWORD, ApiClient
from .mailbox import html_of, text_of

NEW_PASSWORD = "copper-meadow-lantern-92"
LINK = re.compile(r"https://diary\.clinic\.test/reset-password/([A-Za-z0-9_-]+)")


def ask(api, email: str):
    return api.post("/api/v1/auth/password-reset", json={"email": email})


def reset(api, token: str, password: str = NEW_PASSWORD):
    return api.post(f"/api/v1/auth/password-reset/{token}", json={"password": password})


def token_in(message) -> str:
    return LINK.search(text_of(message)).group(1)


def test_a_reset_link_by_email_sets_the_password_and_ends_every_login(
    api, new_api, as_user, patient, mailbox
):
    phone, laptop = as_user(patient), as_user(patient)
    answer = ask(api, patient.email.upper())  # case does not matter
    assert answer.status_code == 202
    [message] = mailbox.wait_for(1)
    assert message["To"] == patient.email
    assert "new password" in message["Subject"]
    token = token_in(message)
    assert f"/reset-password/{token}" in html_of(message)

    assert reset(api, token).status_code == 204
    for client in (phone, laptop):  # every login of the account has ended
        assert client.get("/api/v1/me").status_code == 401
    assert (
        new_api().post("/api/v1/auth/login", json={"email": patient.email, "password": PASSWORD}).status_code
        == 401
    )
    patient.plain_password = NEW_PASSWORD
    as_user(patient)  # logs in with the new password

    [changed] = mailbox.wait_for(1, subject="password was changed")
    assert changed["To"] == patient.email
    assert "password was changed" in changed["Subject"]
    assert "/forgot-password" in text_of(changed)


def test_the_token_is_stored_hashed(api, patient, mailbox):
    ask(api, patient.email)
    token = token_in(mailbox.wait_for(1)[0])
    stored = db.session.scalars(db.select(PasswordResetToken.token_hash)).all()
    assert stored and token not in stored
    assert all(len(h) == 64 for h in stored)


def test_a_link_works_once(api, patient, mailbox):
    ask(api, patient.email)
    token = token_in(mailbox.wait_for(1)[0])
    assert reset(api, token).status_code == 204
    again = reset(api, token, "another-quiet-orchard-51")
    assert again.status_code == 404
    assert again.mimetype == "application/problem+json"


def test_an_earlier_link_dies_when_a_later_one_is_used(api, patient, mailbox):
    ask(api, patient.email)
    ask(api, patient.email)
    first, second = (token_in(m) for m in mailbox.wait_for(2))
    assert reset(api, second).status_code == 204
    assert reset(api, first, "another-quiet-orchard-51").status_code == 404


@pytest.mark.parametrize(("minutes", "status"), [(59, 204), (61, 404)])
def test_a_link_is_valid_for_60_minutes(mid_month, api, patient, mailbox, minutes, status):
    day = mid_month.date()
    with clock.stopped_at(day, time(10)):
        ask(api, patient.email)
    token = token_in(mailbox.wait_for(1)[0])
    with clock.stopped_at(day, time(10 + minutes // 60, minutes % 60)):
        assert reset(api, token).status_code == status


def test_an_unknown_token_is_404(api):
    answer = reset(api, "not-a-token-anyone-was-given")
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"


def test_a_weak_password_is_refused_and_the_link_still_works(api, patient, mailbox):
    ask(api, patient.email)
    token = token_in(mailbox.wait_for(1)[0])
    weak = reset(api, token, "password")
    assert weak.status_code == 422
    assert "password" in weak.get_json()["errors"]
    assert reset(api, token).status_code == 204


def test_an_unknown_address_gets_the_same_answer_and_no_email(api, patient, mailbox):
    unknown = ask(api, "nobody@nowhere.test")
    known = ask(api, patient.email)
    assert unknown.status_code == known.status_code == 202
    assert unknown.get_data() == known.get_data()
    # The known address's email arrives; none was sent for the unknown one before it.
    messages = mailbox.wait_for(1)
    assert [m["To"] for m in messages] == [patient.email]


def test_an_unknown_address_costs_the_same_statements(app, api, patient, count_statements, mailbox):
    """The same work either way: one look-up, one write to the tokens table (a new token, or a
    delete that finds none), and the email rendered (sent only after the response)."""
    ask(api, "warm-up@nowhere.test")
    with count_statements() as unknown:
        ask(api, "nobody@nowhere.test")
    with count_statements() as known:
        ask(api, patient.email)
    assert len(unknown) == len(known) == 2
    assert unknown.statements[0] == known.statements[0]  # the same look-up
    mailbox.wait_for(1)


def test_a_disabled_account_gets_no_link(app, api, users, mailbox):
    from diary.operations.logins import disable_account

    gone = users.patient()
    disable_account(gone.email)
    kept = users.patient()
    assert ask(api, gone.email).status_code == 202
    ask(api, kept.email)
    assert [m["To"] for m in mailbox.wait_for(1)] == [kept.email]


def test_asking_is_limited_per_email_and_per_address(app, api, new_api, patient):
    app.config.update(
        PASSWORD_RESET_LIMIT_PER_EMAIL="2 per hour", PASSWORD_RESET_LIMIT_PER_ADDRESS="3 per hour"
    )
    assert [ask(api, patient.email).status_code for _ in range(3)] == [202, 202, 429]
    assert ask(new_api(), "someone-else@nowhere.test").status_code == 202  # the address's third
    limited = ask(new_api(), "a-third@nowhere.test")
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers


def form(client, path: str, **fields):
    token = ApiClient(client).csrf_token()
    return client.post(path, data={"csrf_token": token, **fields})


def test_the_pages_lead_from_forgot_password_to_logging_in_anew(app, client, as_user, patient, mailbox):
    phone = as_user(patient)
    login_page = client.get("/login").get_data(as_text=True)
    assert 'href="/forgot-password"' in login_page and "Forgot password?" in login_page

    asked = form(client, "/forgot-password", email=patient.email)
    assert asked.status_code == 302 and asked.headers["Location"].endswith("/forgot-password/sent")
    sent = client.get("/forgot-password/sent").get_data(as_text=True)
    assert "Check your email" in sent and "60 minutes" in sent
    path = LINK.search(text_of(mailbox.wait_for(1)[0])).group(0).removeprefix("https://diary.clinic.test")

    assert "Choose a new password" in client.get(path).get_data(as_text=True)
    weak = form(client, path, password="password")
    assert weak.status_code == 422
    assert 'aria-invalid="true"' in weak.get_data(as_text=True)
    done = form(client, path, password=NEW_PASSWORD)
    assert done.status_code == 302 and "/login" in done.headers["Location"]
    landing = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "every phone or computer that was logged in is logged out" in landing
    assert f'value="{patient.email}"' in landing  # the login form is filled in
    assert phone.get("/api/v1/me").status_code == 401

    used = client.get(path)
    assert used.status_code == 404
    assert "Send me a new link" in used.get_data(as_text=True)


def test_the_page_gives_the_same_answer_for_an_unknown_address(client, patient, mailbox):
    unknown = form(client, "/forgot-password", email="nobody@nowhere.test")
    known = form(client, "/forgot-password", email=patient.email)
    assert (unknown.status_code, unknown.headers["Location"]) == (
        known.status_code,
        known.headers["Location"],
    )
    assert [m["To"] for m in mailbox.wait_for(1)] == [patient.email]


def test_the_page_asks_again_for_an_address_that_is_not_one(client):
    answer = form(client, "/forgot-password", email="not an address")
    assert answer.status_code == 422
    assert "Give a valid email address." in answer.get_data(as_text=True)


def test_without_a_mail_server_the_link_is_written_to_the_log(app, api, patient, caplog):
    """`make run` has no MAIL_SERVER: the reset link is in the console."""
    import logging

    with caplog.at_level(logging.INFO, logger="diary.mail"):
        ask(api, patient.email)
        deadline = timer.monotonic() + 5
        while not any("/reset-password/" in r.getMessage() for r in caplog.records):
            assert timer.monotonic() < deadline, "no reset link in the log"
            threading.Event().wait(0.01)
