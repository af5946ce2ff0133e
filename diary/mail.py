"""Outgoing email: plain text and HTML from templates/email/, sent over SMTP by Flask-Mail.

Without MAIL_SERVER (development, `make run`) a message is written to the app log instead, so
a password-reset link can be followed from the console; in production only its subject is (the
address and the links stay out of the operator's log). Emails never carry health data: they
say that something happened and link to the site, where the reader logs in (docs/mail.md).
"""

from __future__ import annotations

import logging
import smtplib
import threading

from flask import after_this_request, current_app, has_request_context, render_template, request
from flask_mail import Connection, Message

from .extensions import mailer

log = logging.getLogger(__name__)

DEVELOPMENT_URL = "http://127.0.0.1:5000"


SENDER_THREAD = "send-email"  # the name of each thread deliver_after_response starts
SMTP_TIMEOUT = 20  # seconds for each exchange with the SMTP server (Flask-Mail sets none)


class _Connection(Connection):
    """Flask-Mail's connection, with a timeout: an SMTP server that stops answering fails the
    send instead of holding it for ever."""

    def configure_host(self) -> smtplib.SMTP:
        mail = self.mail
        smtp = smtplib.SMTP_SSL if mail.use_ssl else smtplib.SMTP
        host = smtp(mail.server, mail.port, timeout=SMTP_TIMEOUT)
        host.set_debuglevel(int(mail.debug))
        if mail.use_tls:
            host.starttls()
        if mail.username and mail.password:
            host.login(mail.username, mail.password)
        return host


class MailNotSent(RuntimeError):
    """The SMTP server could not be reached or refused the message."""


def public_url() -> str:
    """The site's base URL for links in emails: PUBLIC_URL, else the request's, else the
    development server's."""
    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return DEVELOPMENT_URL


def absolute_url(endpoint: str, **values) -> str:
    """An absolute link to one of our pages, for an email (works outside a request too)."""
    path = current_app.url_map.bind("", script_name="/").build(endpoint, values)
    return public_url() + path


def render_email(subject: str, template: str, **context) -> tuple[str, str]:
    """The text and HTML bodies of `email/<template>.txt` and `.html`."""
    context = {"subject": subject, "site_url": public_url(), **context}
    return (
        render_template(f"email/{template}.txt", **context),
        render_template(f"email/{template}.html", **context),
    )


def send_email(to: str, subject: str, template: str, **context) -> None:
    """Render and send one email now; MailNotSent when the SMTP server fails."""
    text, html = render_email(subject, template, **context)
    deliver(to, subject, text, html)


def deliver(to: str, subject: str, text: str, html: str) -> None:
    """Send rendered bodies over SMTP, or write them to the log when there is no MAIL_SERVER."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        if config.get("DIARY_ENV") == "production":
            # A production log is read by operators and kept: no address, and no link (a reset
            # link is a key to the account).
            log.warning("Email not sent (MAIL_SERVER is not set): %s", subject)
        else:
            log.info("Email (not sent: MAIL_SERVER is not set)\nTo: %s\nSubject: %s\n\n%s", to, subject, text)
        return
    message = Message(
        subject=subject, recipients=[to], body=text, html=html, sender=config["MAIL_DEFAULT_SENDER"]
    )
    # The settings are read at each send (not once at start-up), so a test can point an app at
    # the SMTP server it started.
    state = mailer.init_mail(config, current_app.debug)
    try:
        with _Connection(state) as connection:
            connection.send(message)
    except (smtplib.SMTPException, OSError) as error:
        log.warning("Email to the SMTP server %s failed: %s", config["MAIL_SERVER"], error)
        raise MailNotSent(str(error)) from error


def send_email_after_response(to: str, subject: str, template: str, **context) -> None:
    """Render now, send once the response has gone (deliver_after_response)."""
    deliver_after_response(to, subject, *render_email(subject, template, **context))


def deliver_after_response(to: str, subject: str, text: str, html: str) -> None:
    """Send rendered bodies on a thread of their own, started as the response goes: the answer
    does not wait for (nor show, by its timing) the SMTP exchange, and a failure is logged, not
    shown to the visitor. The thread is not a daemon, so a worker that stops finishes it first
    (SMTP_TIMEOUT bounds it)."""
    app = current_app._get_current_object()

    def send() -> None:
        with app.app_context():
            try:
                deliver(to, subject, text, html)
            except MailNotSent:
                pass  # deliver logged it

    @after_this_request
    def start_sending(response):
        threading.Thread(target=send, name=SENDER_THREAD).start()
        return response
