"""Outgoing email: plain text and HTML from templates/email/, sent over SMTP by Flask-Mail.

Without MAIL_SERVER (development, `make run`) a message is written to the app log instead, so
a password-reset link can be followed from the console. Emails never carry health data: they
say that something happened and link to the site, where the reader logs in (docs/mail.md).
"""

from __future__ import annotations

import logging
import smtplib

from flask import current_app, has_request_context, render_template, request
from flask_mail import Connection, Message

from .extensions import mailer

log = logging.getLogger(__name__)

DEVELOPMENT_URL = "http://127.0.0.1:5000"


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
        log.info("Email (not sent: MAIL_SERVER is not set)\nTo: %s\nSubject: %s\n\n%s", to, subject, text)
        return
    message = Message(
        subject=subject, recipients=[to], body=text, html=html, sender=config["MAIL_DEFAULT_SENDER"]
    )
    # The settings are read at each send (not once at start-up), so a test can point an app at
    # the SMTP server it started.
    state = mailer.init_mail(config, current_app.debug)
    try:
        with Connection(state) as connection:
            connection.send(message)
    except (smtplib.SMTPException, OSError) as error:
        log.warning("Email to the SMTP server %s failed: %s", config["MAIL_SERVER"], error)
        raise MailNotSent(str(error)) from error


def send_email_after_response(to: str, subject: str, template: str, **context) -> None:
    """Render now, send once the response has gone: the answer does not wait for (or reveal,
    by its timing) the SMTP exchange, and a failure is logged, not shown."""
    text, html = render_email(subject, template, **context)
    app = current_app._get_current_object()

    def send_later() -> None:
        with app.app_context():
            try:
                deliver(to, subject, text, html)
            except MailNotSent:
                pass  # logged by deliver

    _after_response(send_later)


def _after_response(callback) -> None:
    from flask import after_this_request

    @after_this_request
    def schedule(response):
        response.call_on_close(callback)
        return response
