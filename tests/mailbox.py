"""A real SMTP server for a test: the `mailbox` fixture starts aiosmtpd on a free port, points
the app at it, and gives the messages that arrived, parsed.

    def test_x(app, mailbox, api):     # `app` is pointed at the mailbox by the fixture
        ...
        [message] = mailbox.wait_for(1)
        assert message["To"] == "a@example.test"

A test that builds its own app passes `make_app(**mailbox.settings)`.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
import time
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from diary.mail import SENDER_THREAD

from .servers import free_port


class Mailbox:
    """What the SMTP server received, parsed; `wait_for` polls until enough has arrived."""

    def __init__(self, port: int):
        self.port = port
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []  # (MAIL FROM, RCPT TO) of each
        self._arrived = threading.Condition()
        self.delay = 0.0  # seconds the server takes to accept each message

    @property
    def settings(self) -> dict:
        return {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": self.port,
            "MAIL_USE_TLS": False,
            "MAIL_USE_SSL": False,
            "MAIL_USERNAME": None,
            "MAIL_PASSWORD": None,
            "MAIL_DEFAULT_SENDER": "Headache diary <diary@clinic.test>",
            "PUBLIC_URL": "https://diary.clinic.test",
            # Each test client is a new device: a test that is about this email turns it on.
            "NEW_SIGN_IN_EMAIL": False,
        }

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        if self.delay:  # a slow mail server, for a test that the sender does not wait for it
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 5, *, subject: str | None = None) -> list[EmailMessage]:
        """The messages (those whose subject holds `subject`, when given) once at least `count`
        have arrived, in the order they arrived; fails after `timeout` seconds. Emails sent after
        a response go on threads of their own, so the order of two is not the order of asking."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(found := self._matching(subject)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"{count} email(s) expected, {len(found)} arrived in {timeout} s")
                self._arrived.wait(left)
            return found

    def _matching(self, subject: str | None) -> list[EmailMessage]:
        return [m for m in self.messages if subject is None or subject in m["Subject"]]

    def for_address(self, address: str) -> list[EmailMessage]:
        """The messages sent to this address."""
        return [m for m in self.messages if address in m["To"]]


def text_of(message: EmailMessage) -> str:
    """The plain-text body of a message."""
    return message.get_body(("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    """The HTML body of a message."""
    return message.get_body(("html",)).get_content()


@pytest.fixture
def mailbox(request):
    """A real SMTP server for this test; the `app` fixture, when the test uses it, sends there."""
    box = Mailbox(free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        if "app" in request.fixturenames:
            request.getfixturevalue("app").config.update(box.settings)
        yield box
    finally:
        _wait_for_senders()  # an email still on its way would meet a closed server
        controller.stop()


def _wait_for_senders(timeout: float = 10) -> None:
    """Let every email sent after a response (diary/mail.py) finish its SMTP exchange."""
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread.name == SENDER_THREAD:
            thread.join(max(0, deadline - time.monotonic()))
