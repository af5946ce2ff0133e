"""Under real gunicorn, a password-reset answer does not wait for the mail server: the email is
sent on a thread of the worker after the response (diary/mail.py deliver_after_response)."""

from __future__ import annotations

import http.client
import json
import time

import pytest

from . import servers
from .mailbox import text_of

SLOW_SMTP = 2.0  # seconds the mail server takes over each message


@pytest.mark.real_clock
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_answer_goes_before_a_slow_mail_server_has_taken_the_email(app, users, mailbox, tmp_path):
    patient = users.patient()
    mailbox.delay = SLOW_SMTP
    env = {
        "WEB_CONCURRENCY": "1",
        "DIARY_ENV": "testing",
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(mailbox.port),
        "PUBLIC_URL": "https://diary.clinic.test",
    }
    with servers.gunicorn(env, tmp_path / "gunicorn.log") as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/api/v1/auth/csrf")
        answer = connection.getresponse()
        cookie = answer.getheader("Set-Cookie").split(";")[0]
        token = json.loads(answer.read())["csrf_token"]
        started = time.monotonic()
        connection.request(
            "POST",
            "/api/v1/auth/password-reset",
            body=json.dumps({"email": patient.email}),
            headers={"Content-Type": "application/json", "X-CSRFToken": token, "Cookie": cookie},
        )
        answer = connection.getresponse()
        answer.read()
        answered_in = time.monotonic() - started
        connection.close()
        assert answer.status == 202
        assert answered_in < SLOW_SMTP
        [message] = mailbox.wait_for(1, timeout=SLOW_SMTP + 10)
    assert "https://diary.clinic.test/reset-password/" in text_of(message)
