"""diary/mail.py: text and HTML through a real SMTP server, the log without one, absolute links."""

from __future__ import annotations

import logging

import pytest

from diary.mail import MailNotSent, absolute_url, send_email

from .mailbox import html_of, text_of
from .servers import free_port

LINK = "https://diary.clinic.test/reset/abc"


def test_an_email_arrives_with_text_and_html(app, mailbox):
    with app.test_request_context():
        send_email(
            "sam@example.test", "Set a new password", "password_reset", reset_url=LINK, valid_minutes=60
        )
    [message] = mailbox.wait_for(1)
    assert message["To"] == "sam@example.test"
    assert message["Subject"] == "Set a new password"
    assert "diary@clinic.test" in message["From"]
    assert LINK in text_of(message)
    assert f'href="{LINK}"' in html_of(message)
    assert "https://diary.clinic.test" in html_of(message)  # the layout's footer names the site


def test_without_a_mail_server_the_email_is_written_to_the_log(app, caplog):
    app.config["MAIL_SERVER"] = None
    with app.test_request_context(), caplog.at_level(logging.INFO, logger="diary.mail"):
        send_email(
            "sam@example.test", "Set a new password", "password_reset", reset_url=LINK, valid_minutes=60
        )
    [record] = [r for r in caplog.records if r.name == "diary.mail"]
    assert "sam@example.test" in record.getMessage()
    assert LINK in record.getMessage()


def test_in_production_without_a_mail_server_the_log_holds_no_address_or_link(app, caplog):
    app.config.update(MAIL_SERVER=None, DIARY_ENV="production")
    with app.test_request_context(), caplog.at_level(logging.INFO, logger="diary.mail"):
        send_email(
            "sam@example.test", "Set a new password", "password_reset", reset_url=LINK, valid_minutes=60
        )
    [record] = [r for r in caplog.records if r.name == "diary.mail"]
    assert "Set a new password" in record.getMessage()
    assert "sam@example.test" not in record.getMessage()
    assert "/reset/" not in record.getMessage()


def test_a_failing_mail_server_raises_mail_not_sent(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nobody listens there
    with app.test_request_context(), pytest.raises(MailNotSent):
        send_email("sam@example.test", "Hi", "password_reset", reset_url=LINK, valid_minutes=60)


@pytest.mark.parametrize(
    ("public_url", "in_request", "expected"),
    [
        ("https://diary.clinic.example/", True, "https://diary.clinic.example/login"),
        (None, True, "http://phone.test/login"),
        (None, False, "http://127.0.0.1:5000/login"),
    ],
)
def test_links_in_emails_are_absolute(app, public_url, in_request, expected):
    app.config["PUBLIC_URL"] = public_url
    if in_request:
        with app.test_request_context(base_url="http://phone.test"):
            assert absolute_url("web.login") == expected
    else:
        assert absolute_url("web.login") == expected
