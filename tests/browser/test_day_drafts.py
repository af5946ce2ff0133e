"""Unsaved changes to a day are kept on the phone as a draft (issue 11 item 1): on a phone
(390 x 844), Yes and 3 on Today, then Calendar, then Today again puts them back with a note; the
draft is never sent without Save; Save sends it and drops it; "discard them" brings back the day
as the diary holds it; a logout wipes it. Quick controls say what a tap does (item 3): one tap
saves on an untouched day, and joins the other changes (saved with Save) once there are some."""

from __future__ import annotations

import pytest

from .answers import answer_headache
from .conftest import log_in, offline_ready, shot, tap_save

pytestmark = pytest.mark.browser
BACKENDS = ("sqlite", "postgresql")
BACK = "[data-draft-back]"
KEPT = "Not saved yet, kept on this phone."


def open_today(context, patient):
    page = context.new_page()
    log_in(page, patient)
    offline_ready(page)
    return page


def change_and_leave(page):
    """Yes and 3 on Today, then Calendar, as the patient in the issue did."""
    answer_headache(page, 3)
    page.locator("[data-draft-state]").get_by_text(KEPT).wait_for()
    page.get_by_role("link", name="Calendar", exact=True).click()
    page.wait_for_url("**/calendar")


def intensity_3(page):
    return page.locator("input[name='headaches.0.intensity'][value='3']")


def test_unsaved_changes_come_back_with_a_note_and_are_not_sent_until_save(phone, live_server, patient):
    context = phone()
    page = open_today(context, patient)
    change_and_leave(page)
    assert live_server.days(patient) == {}  # a draft is never sent

    page.get_by_role("link", name="Today", exact=True).click()
    page.wait_for_url("**/today")
    offline_ready(page)
    back = page.locator(BACK)
    back.wait_for()
    assert "Your unsaved changes are back." in back.inner_text()
    assert intensity_3(page).is_checked()
    assert page.locator("[data-question]").is_hidden()  # the headache is shown, not asked again
    assert page.locator("[data-draft-state]").inner_text() == KEPT
    shot(page, "draft-back")
    assert live_server.days(patient) == {}

    tap_save(page)
    page.locator(".flash").get_by_text("Saved today.").wait_for()
    offline_ready(page)
    day = live_server.days(patient)[live_server.today(patient).isoformat()]
    assert [h["intensity"] for h in day["headaches"]] == [3]
    # Saved: no draft any more, on this page or the next.
    assert page.locator(BACK).is_hidden()
    page.reload()
    offline_ready(page)
    assert page.locator(BACK).is_hidden()
    assert page.locator("[data-draft-state]").inner_text() == ""


def test_discarding_the_draft_shows_the_day_as_the_diary_holds_it(phone, live_server, patient):
    page = open_today(phone(), patient)
    change_and_leave(page)
    page.goto("/today")
    offline_ready(page)
    page.locator(BACK).wait_for()
    with page.expect_navigation():
        page.get_by_role("button", name="discard them").click()
    offline_ready(page)
    assert page.locator(BACK).is_hidden()
    assert not intensity_3(page).is_checked()
    assert page.locator("[data-question]").is_visible()
    page.reload()
    offline_ready(page)
    assert page.locator(BACK).is_hidden()
    assert live_server.days(patient) == {}


def test_changing_the_form_back_leaves_no_draft(phone, live_server, patient):
    page = open_today(phone(), patient)
    page.fill("#notes", "Slept badly")
    page.locator("[data-draft-state]").get_by_text(KEPT).wait_for()
    page.fill("#notes", "")
    page.wait_for_function("() => document.querySelector('[data-draft-state]').textContent === ''")
    page.goto("/today")
    offline_ready(page)
    assert page.locator(BACK).is_hidden()


def test_a_logout_wipes_the_draft(phone, live_server, patient):
    context = phone()
    page = open_today(context, patient)
    page.fill("#notes", "Private words")
    page.locator("[data-draft-state]").get_by_text(KEPT).wait_for()
    page.goto("/account")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    log_in(page, patient)
    offline_ready(page)
    assert page.locator(BACK).is_hidden()
    assert page.input_value("#notes") == ""


def test_a_draft_of_another_day_stays_on_its_day(phone, live_server, patient):
    page = open_today(phone(), patient)
    page.locator(".day-head a.step").first.click()  # the day before
    page.wait_for_url("**/days/*")
    offline_ready(page)
    page.fill("#notes", "Yesterday's note")
    page.locator("[data-draft-state]").get_by_text(KEPT).wait_for()
    page.goto("/today")
    offline_ready(page)
    assert page.locator(BACK).is_hidden() and page.input_value("#notes") == ""
    page.go_back()
    page.wait_for_url("**/days/*")
    page.reload()
    offline_ready(page)
    page.locator(BACK).wait_for()
    assert page.input_value("#notes") == "Yesterday's note"


def test_a_form_sent_back_unsaved_is_kept_as_a_draft(phone, live_server, patient):
    # Yes with no headache rated: the server sends the form back; leaving it keeps it.
    page = open_today(phone(), patient)
    page.locator("a[data-answer-yes]").click()
    page.fill("#notes", "Could not say how bad")
    tap_save(page)
    page.locator("#error-summary").wait_for()
    offline_ready(page)
    page.locator("[data-draft-state]").get_by_text(KEPT).wait_for()
    page.goto("/calendar")
    page.goto("/today")
    offline_ready(page)
    page.locator(BACK).wait_for()
    assert page.input_value("#notes") == "Could not say how bad"


def test_a_quick_control_saves_at_once_on_an_untouched_day(phone, live_server, patient):
    page = open_today(phone(), patient)
    assert page.locator("[data-quick-hint]").inner_text() == "one tap saves"
    page.click("button[form=quick-soreness][value='2']")
    page.locator(".flash").get_by_text("Saved today.").wait_for()
    assert live_server.days(patient)[live_server.today(patient).isoformat()]["soreness"] == 2


def test_a_quick_control_on_a_changed_day_says_it_waits_for_save_and_keeps_it(phone, live_server, patient):
    page = open_today(phone(), patient)
    answer_headache(page, 3)
    hint = page.locator("[data-quick-hint]")
    assert hint.inner_text() == "saved when you tap Save"
    page.click("button[form=quick-soreness][value='4']")
    note = page.locator("[data-quick-note]")
    assert note.inner_text() == "Noted, not saved yet: tap Save to keep it with your other changes."
    assert live_server.days(patient) == {}
    # The draft holds the tap too.
    page.evaluate("DiaryOffline.draft.written()")
    page.goto("/calendar")
    page.goto("/today")
    offline_ready(page)
    page.locator(BACK).wait_for()
    assert page.locator("button[form=quick-soreness][value='4']").get_attribute("aria-pressed") == "true"
    tap_save(page)
    page.locator(".flash").get_by_text("Saved today.").wait_for()
    day = live_server.days(patient)[live_server.today(patient).isoformat()]
    assert day["soreness"] == 4 and [h["intensity"] for h in day["headaches"]] == [3]


def test_a_warning_sign_added_since_the_draft_stays_ticked(phone, live_server, patient):
    page = open_today(phone(), patient)
    page.fill("#notes", "Tingling later")
    page.locator("[data-draft-state]").get_by_text(KEPT).wait_for()
    page.goto("/red-flags/arm_symptoms_after_needling")
    page.get_by_role("button", name="Add this to today's diary").click()
    page.locator(".flash").get_by_text("Added to today's diary.").wait_for()
    page.goto("/today")
    offline_ready(page)
    page.locator(BACK).wait_for()
    assert page.input_value("#notes") == "Tingling later"
    assert page.locator("#red_flags-arm_symptoms_after_needling").is_checked()
