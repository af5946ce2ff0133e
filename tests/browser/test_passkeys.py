"""Passkeys in Chromium (docs/second-factor.md): Chromium's virtual authenticator (the DevTools
WebAuthn domain) stands in for a phone's fingerprint reader. The patient adds a passkey on the
account page (static/js/passkey.js), logs out, and logs in with the password and the passkey.
axe-core checks the pages of setting up the authenticator app and of the login's second step.

The page is opened as http://localhost: WebAuthn needs a domain, and localhost is one that
Chromium treats as secure without TLS (127.0.0.1 is an address, not a domain)."""

from __future__ import annotations

import uuid

import pyotp
import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.models import Passkey

from .conftest import PHONE, log_in, shot
from .test_accessibility import violations

pytestmark = pytest.mark.browser

AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
}


def passkeys(live_server, account) -> list[tuple[str, int]]:
    with live_server.app.app_context():
        rows = db.session.execute(
            select(Passkey.name, Passkey.sign_count).where(Passkey.user_id == uuid.UUID(account.id))
        ).all()
        db.session.remove()
        return [tuple(row) for row in rows]


@pytest.fixture
def localhost_phone(browser, live_server):
    """A phone's browser context on http://localhost:<port>, closed after the test."""
    context = browser.new_context(base_url=live_server.url.replace("127.0.0.1", "localhost"), **PHONE)
    context.set_default_timeout(15_000)
    yield context
    context.close()


def test_a_passkey_added_on_the_account_page_logs_in(localhost_phone, live_server, patient):
    context = localhost_phone
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})

    page.goto("/login")
    page.fill("#email", patient.email)
    page.fill("#password", patient.password)
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/today")
    page.goto("/account")
    page.get_by_role("button", name="Add a passkey").click()
    page.get_by_role("heading", name="Passkeys").wait_for()
    ((name, count_at_registration),) = passkeys(live_server, patient)
    assert name == "Passkey"
    assert "a passkey" in page.locator("#two-step-title + .card").inner_text()
    shot(page, "passkey-added")

    log_out_and_in_to_the_second_step(page, patient)
    shot(page, "passkey-second-step")
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url("**/today")
    assert page.get_by_role("link", name="Account").is_visible()
    assert passkeys(live_server, patient) == [("Passkey", count_at_registration + 1)]  # its counter, kept


def log_out_and_in_to_the_second_step(page, patient) -> None:
    """Log out from a page with the Log out button, then give the password again: the login's
    second step is shown."""
    page.get_by_role("button", name="Log out").first.click()
    page.wait_for_url("**/login")
    page.fill("#email", patient.email)
    page.fill("#password", patient.password)
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/login/two-step")


def test_the_two_step_pages_have_no_serious_accessibility_violations(phone, patient, axe_source):
    page = phone(bypass_csp=True).new_page()
    log_in(page, patient)
    page.goto("/account/two-step")
    assert violations(page, axe_source) == []
    secret = page.locator(".secret code").inner_text().replace(" ", "")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_role("heading", name="Two-step sign-in is on").wait_for()
    assert violations(page, axe_source) == []
    page.get_by_role("link", name="I have saved these").click()
    log_out_and_in_to_the_second_step(page, patient)
    assert violations(page, axe_source) == []
    assert page.locator("#code").get_attribute("autocomplete") == "one-time-code"
    assert page.locator("#code").get_attribute("inputmode") == "numeric"
