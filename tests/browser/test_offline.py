"""Logging offline in a real browser: a day saved without a network waits on the phone, survives
a reload, and reaches the server exactly once when the network returns; two phones editing one
day meet a conflict that the patient settles either way. On SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from .conftest import log_in, service_worker_ready, shot, tap_save

pytestmark = pytest.mark.browser
BACKENDS = ("sqlite", "postgresql")
STATUS = "[data-offline-status]"


def open_today(context, account, path="/today"):
    page = context.new_page()
    log_in(page, account)
    service_worker_ready(page)
    if path != "/today":
        page.goto(path)
    page.wait_for_function("() => window.DiaryOffline && window.DiaryOffline.dayToForm !== undefined")
    page.evaluate("DiaryOffline.ready")
    return page


def answer_headache(page, intensity: int | None) -> None:
    if intensity is None:
        page.click("label.option:has(input[name=headache_today][value=no])")
    else:
        page.click("label.option:has(input[name=headache_today][value=yes])")
        page.click(f"label.tap:has(input[name='headaches.0.intensity'][value='{intensity}'])")


def puts_to_days(context) -> list[str]:
    seen: list[str] = []
    context.on("request", lambda r: seen.append(r.url) if r.method == "PUT" and "/days/" in r.url else None)
    return seen


def test_a_day_logged_offline_waits_survives_a_reload_and_reaches_the_server_once(phone, live_server, patient):
    context = phone()
    puts = puts_to_days(context)
    page = open_today(context, patient)
    today = live_server.today(patient).isoformat()

    context.set_offline(True)
    answer_headache(page, 6)
    page.get_by_role("button", name="One more dose: Ibuprofen 400 mg").click()
    page.fill("#notes", "Logged on the bus, no signal")
    tap_save(page)
    status = page.locator(STATUS)
    status.get_by_text("Saved on this phone, will sync.").wait_for()
    assert "1 day waiting to sync" in status.inner_text()
    shot(page, "1-saved-offline")
    assert live_server.days(patient) == {}

    page.reload()  # still offline: the service worker's shell, filled from the outbox
    page.wait_for_function("() => document.querySelector('#notes').value !== ''")
    assert page.input_value("#notes") == "Logged on the bus, no signal"
    assert page.locator("input[name='headaches.0.intensity'][value='6']").is_checked()
    assert "1 day waiting to sync" in status.inner_text()
    assert page.locator("main p.status").inner_text() == "Saved on this phone, waiting to sync."
    shot(page, "2-after-reload-offline")
    assert live_server.days(patient) == {}

    context.set_offline(False)
    status.get_by_text("Synced.").wait_for()
    assert "waiting to sync" not in status.inner_text()
    shot(page, "3-synced")
    days = live_server.days(patient)
    assert list(days) == [today]
    day = days[today]
    assert day["version"] == 1
    assert day["notes"] == "Logged on the bus, no signal"
    assert [h["intensity"] for h in day["headaches"]] == [6]
    assert [(m["name"], m["drug_class"], m["doses"]) for m in day["medications"]] == [
        ("Ibuprofen 400 mg", "non_opioid_analgesic", 1)]
    assert page.evaluate("DiaryOffline.outbox.all()") == []
    assert len(puts) == 1, puts
    # The page now builds on the stored version: saving again online is an ordinary save.
    assert page.input_value("input[name=version]") == "1"


def test_a_save_that_never_reaches_the_server_is_kept_by_the_service_worker(phone, live_server, patient):
    """The phone believes it is online, but the request fails (a dead connection): the service
    worker sends the page back with #offline-save and the day is queued, not lost."""
    context = phone()
    page = open_today(context, patient)
    answer_headache(page, None)
    page.fill("#notes", "Sent into a dead connection")
    context.route("**/days/**", lambda route: route.abort("internetdisconnected"))
    tap_save(page)
    page.locator(STATUS).get_by_text("Saved on this phone, will sync.").wait_for()
    assert page.evaluate("location.hash") == ""
    queued = page.evaluate("DiaryOffline.outbox.all()")
    assert [e["day"]["notes"] for e in queued] == ["Sent into a dead connection"]
    context.unroute("**/days/**")
    page.evaluate("DiaryOffline.syncAll({force: true})")
    page.locator(STATUS).get_by_text("Synced.").wait_for()
    [day] = live_server.days(patient).values()
    assert (day["notes"], day["headaches"], day["version"]) == ("Sent into a dead connection", [], 1)


def _conflict(phone, live_server, patient, path):
    """Phone A saves a day offline; phone B saves the same day online; A comes back online."""
    a, b = phone(), phone()
    page_a = open_today(a, patient, path)
    page_b = open_today(b, patient, path)
    a.set_offline(True)
    answer_headache(page_a, None)
    page_a.fill("#notes", "Phone A: no headache after all")
    tap_save(page_a)
    page_a.locator(STATUS).get_by_text("Saved on this phone, will sync.").wait_for()

    answer_headache(page_b, 3)
    page_b.fill("#notes", "Phone B: a mild one in the evening")
    tap_save(page_b)
    page_b.wait_for_load_state()
    page_b.locator(".flash").wait_for()

    a.set_offline(False)
    conflict = page_a.locator("[data-conflict]")
    conflict.wait_for()
    return page_a, conflict


def test_two_phones_editing_one_day_meet_a_412_and_keeping_this_phones_version_wins(phone, live_server, patient):
    page_a, conflict = _conflict(phone, live_server, patient, "/today")
    text = conflict.inner_text()
    assert "Phone A: no headache after all" in text and "Phone B: a mild one in the evening" in text
    assert "1 day waiting to sync" in page_a.locator(STATUS).inner_text()
    shot(page_a, "4-conflict")

    conflict.get_by_role("button", name="Keep this phone's version").click()
    page_a.locator(STATUS).get_by_text("Synced.").wait_for()
    [day] = live_server.days(patient).values()
    assert (day["notes"], day["headaches"], day["version"]) == ("Phone A: no headache after all", [], 2)
    assert page_a.evaluate("DiaryOffline.outbox.all()") == []
    assert page_a.locator("[data-conflict]").count() == 0


def test_two_phones_editing_one_day_meet_a_412_and_keeping_the_other_version_wins(phone, live_server, patient):
    yesterday = (live_server.today(patient) - timedelta(days=1)).isoformat()
    page_a, conflict = _conflict(phone, live_server, patient, f"/days/{yesterday}")
    conflict.get_by_role("button", name="Keep the other version").click()
    page_a.locator(STATUS).get_by_text("Kept the other version.").wait_for()
    assert page_a.evaluate("DiaryOffline.outbox.all()") == []
    [day] = live_server.days(patient).values()
    assert (day["notes"], [h["intensity"] for h in day["headaches"]], day["version"]) == (
        "Phone B: a mild one in the evening", [3], 1)
    # Phone A's editor now shows the version kept, and builds on it.
    assert page_a.input_value("#notes") == "Phone B: a mild one in the evening"
    assert page_a.input_value("input[name=version]") == "1"
    assert page_a.locator("[data-conflict]").count() == 0
