"""An invitation from start to end in Chromium (docs/invitations.md): the therapist makes one and
shows its QR code; the patient opens the link on a phone, starts a diary, comes back to the
invitation and accepts; the therapist then sees them in the list."""

from __future__ import annotations

import pytest

from .conftest import Account, log_in, shot

pytestmark = pytest.mark.browser

NEW_PASSWORD = "copper-meadow-lantern-82"


@pytest.fixture
def therapist(live_server) -> Account:
    with live_server.app.app_context():
        user = live_server._users.therapist(name="Robin Physio")
        return Account(str(user.id), user.email)


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_patient_invited_by_qr_code_starts_a_diary_and_shares_it(phone, therapist):
    desk = phone(viewport={"width": 1024, "height": 768}, is_mobile=False, has_touch=False).new_page()
    log_in(desk, therapist, then="/therapist")
    desk.click("text=Invite a patient")
    desk.wait_for_url("**/therapist/invitations")
    desk.click("button:has-text('Make an invitation')")
    qr = desk.locator("img.invitation-qr")
    qr.wait_for()
    # The QR code is a file of our own origin: the strict Content-Security-Policy lets it load.
    desk.wait_for_function("() => document.querySelector('img.invitation-qr').naturalWidth > 0")
    url = desk.input_value("#invitation-url")
    assert "/invite/" in url
    shot(desk, "invitation-therapist")

    patient_phone = phone().new_page()
    patient_phone.goto(url)
    assert "Robin Physio would like to see your headache diary" in patient_phone.inner_text("h1")
    assert "Every day of your diary" in patient_phone.inner_text("main")
    assert fits_the_phone(patient_phone)
    shot(patient_phone, "invitation-landing")
    patient_phone.click("text=Start my diary")
    patient_phone.fill("#display_name", "Sam Newpatient")
    patient_phone.fill("#email", "sam.new@example.test")
    patient_phone.fill("#password", NEW_PASSWORD)
    patient_phone.click("form.stack button[type=submit]")
    patient_phone.wait_for_url("**/invite/**")  # back to the invitation, logged in
    assert fits_the_phone(patient_phone)
    shot(patient_phone, "invitation-answer")
    patient_phone.click("button:has-text('Yes, share my diary')")
    patient_phone.wait_for_url("**/sharing")
    assert "Robin Physio can now see your diary." in patient_phone.inner_text("main")

    desk.goto("/therapist")
    assert "Sam Newpatient" in desk.inner_text("table.triage")
