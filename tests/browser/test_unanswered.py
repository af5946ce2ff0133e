"""The headache question stays open until the patient answers it (docs/clinical-rules.md section 1):
on a phone (390 x 844), each quick control on a day not yet answered (a soreness score, exercises
done or not, a medicine's dose and Save) stores the day with `had_headache` null, online and
offline (synced once back online), and the page keeps asking "Did you have a headache today?".
On SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from .conftest import log_in, offline_ready, service_worker_ready, shot, tap_save

pytestmark = pytest.mark.browser
BACKENDS = ("sqlite", "postgresql")
STATUS = "[data-offline-status]"
UNANSWERED = "You have not said yet whether you had a headache"


def tap_soreness(page):
    page.click("button[form=quick-soreness][value='3']")


def tap_exercises_done(page):
    page.click("button[form=quick-exercises][value=yes]")


def tap_exercises_not_done(page):
    page.click("button[form=quick-exercises][value=no]")


def take_a_dose_and_save(page):
    page.get_by_role("button", name="One more dose: Ibuprofen 400 mg").click()
    tap_save(page)


CONTROLS = {
    "soreness": (tap_soreness, {"soreness": 3}),
    "exercises done": (tap_exercises_done, {"exercises_done": True}),
    "exercises not done": (tap_exercises_not_done, {"exercises_done": False}),
    "a medicine": (take_a_dose_and_save, {"medications": ["Ibuprofen 400 mg"]}),
}


def _stored_today(live_server, patient) -> dict:
    today = live_server.today(patient).isoformat()
    days = live_server.days(patient)
    assert list(days) == [today]
    day = days[today]
    return {**day, "medications": [m["name"] for m in day["medications"]]}


def _asks_the_question(page) -> None:
    question = page.locator("[data-question]")
    question.wait_for()
    assert question.get_by_role("heading").inner_text() == "Did you have a headache today?"
    question.get_by_role("button", name="No headache today").wait_for()
    question.get_by_role("link", name="Yes, I had a headache").wait_for()
    assert UNANSWERED in page.locator("main p.status").inner_text()
    page.locator("#headache_today").wait_for(state="hidden")  # asked once, not twice


@pytest.mark.parametrize("control", CONTROLS)
def test_a_quick_control_online_leaves_the_question_open(phone, live_server, patient, control):
    tap, stored = CONTROLS[control]
    page = phone().new_page()
    log_in(page, patient)
    offline_ready(page)
    tap(page)
    page.locator(".flash").get_by_text("Saved today.").wait_for()
    offline_ready(page)
    day = _stored_today(live_server, patient)
    assert day["had_headache"] is None and day["headaches"] == []
    assert {key: day[key] for key in stored} == stored
    _asks_the_question(page)
    shot(page, f"unanswered-online-{control.replace(' ', '-')}")


@pytest.mark.parametrize("control", CONTROLS)
def test_a_quick_control_offline_leaves_the_question_open_and_syncs_so(phone, live_server, patient, control):
    tap, stored = CONTROLS[control]
    context = phone()
    page = context.new_page()
    log_in(page, patient)
    service_worker_ready(page)
    offline_ready(page)
    context.set_offline(True)
    tap(page)
    status = page.locator(STATUS)
    status.get_by_text("Saved on this phone, will sync.").wait_for()
    [entry] = page.evaluate("DiaryOffline.outbox.all()")
    assert "had_headache" not in entry["day"] and entry["day"]["headaches"] == []
    assert page.locator("main p.status").inner_text() == (
        f"Saved on this phone, waiting to sync. {UNANSWERED}."
    )
    _asks_the_question(page)
    assert live_server.days(patient) == {}

    context.set_offline(False)
    status.get_by_text("Synced.").wait_for()
    day = _stored_today(live_server, patient)
    assert day["had_headache"] is None and day["headaches"] == []
    assert {key: day[key] for key in stored} == stored
    assert page.locator("main p.status").inner_text() == f"Saved, and synced to your diary. {UNANSWERED}."
    _asks_the_question(page)
    page.reload()  # and the server's own page says the same
    offline_ready(page)
    _asks_the_question(page)


def test_no_on_the_question_card_saves_the_day_headache_free_and_yes_opens_the_intensity(
    phone, live_server, patient
):
    page = phone().new_page()
    log_in(page, patient)
    offline_ready(page)
    tap_soreness(page)
    page.locator(".flash").wait_for()
    offline_ready(page)
    shot(page, "question-unanswered")

    page.locator("[data-question]").get_by_role("button", name="No headache today").click()
    page.locator("main p.status.logged").get_by_text("Logged: no headache").wait_for()
    offline_ready(page)
    day = _stored_today(live_server, patient)
    assert (day["had_headache"], day["soreness"]) == (False, 3)
    assert page.locator("[data-question] button[value=no_headache]").get_attribute("aria-pressed") == "true"
    shot(page, "question-said-no")

    page.locator("[data-question]").get_by_role("link", name="Yes, I had a headache").click()
    page.locator("[data-question]").wait_for(state="hidden")
    assert page.locator("input[name=headache_today][value=yes]").is_checked()
    focused = page.evaluate("document.activeElement.name")
    assert focused == "headaches.0.intensity"
    page.click("label.tap:has(input[name='headaches.0.intensity'][value='5'])")
    shot(page, "question-said-yes")
    tap_save(page)
    page.locator("main p.status").get_by_text("Logged: 1 headache, worst 5 out of 10").wait_for()
    day = _stored_today(live_server, patient)
    assert (day["had_headache"], [h["intensity"] for h in day["headaches"]]) == (True, [5])
