"""How the outbox takes the server's other answers: a refused day stays with the server's message,
a stale CSRF token is replaced, and the service worker sends the outbox by itself (Background
Sync) when no page of the diary is open."""

from __future__ import annotations

from datetime import timedelta

import pytest

from .answers import answer_headache
from .conftest import log_in, service_worker_ready

pytestmark = pytest.mark.browser
STATUS = "[data-offline-status]"


def logged_in_page(phone, patient):
    context = phone()
    page = context.new_page()
    log_in(page, patient)
    service_worker_ready(page)
    page.evaluate("DiaryOffline.ready")
    return context, page


def test_a_day_the_server_refuses_stays_on_the_phone_with_the_reason(phone, live_server, patient):
    context, page = logged_in_page(phone, patient)
    day = (live_server.today(patient) - timedelta(days=2)).isoformat()
    page.evaluate(
        """([day, user]) => DiaryOffline.enqueue(day, {
        headaches: [{intensity: 11, type: "unsure"}], medications: [], soreness: null,
        exercises_done: null, triggers: [], notes: null}, null, user)""",
        [day, patient.id],
    )
    page.evaluate("DiaryOffline.syncAll({force: true})")
    refused = page.locator(f"[data-invalid='{day}']")
    refused.wait_for()
    assert "Intensity is a number from 1 to 10." in refused.inner_text()
    [entry] = page.evaluate("DiaryOffline.outbox.all()")
    assert (entry["date"], entry["state"]) == (day, "invalid")
    assert live_server.days(patient) == {}
    page.reload()  # still there, still explained, and not sent again by itself
    page.locator(f"[data-invalid='{day}']").wait_for()
    assert "1 day waiting to sync" in page.locator(STATUS).inner_text()


def test_a_stale_csrf_token_is_replaced_and_the_day_still_goes(phone, live_server, patient):
    # No service worker here: its Background Sync, fired when the connection returns, fetches a
    # fresh token of its own and may send the day before the page does (no 400 to see then).
    context = phone(service_workers="block")
    page = context.new_page()
    log_in(page, patient)
    page.evaluate("DiaryOffline.ready")
    context.set_offline(True)
    answer_headache(page, None)
    page.evaluate("document.querySelector('#day-form').requestSubmit()")
    page.locator(STATUS).get_by_text("Saved on this phone, will sync.").wait_for()
    page.evaluate("document.querySelector('meta[name=csrf-token]').content = 'stale-token'")
    answers: list[int] = []
    context.on("response", lambda r: answers.append(r.status) if r.request.method == "PUT" else None)
    context.set_offline(False)
    page.locator(STATUS).get_by_text("Synced.").wait_for()
    assert answers == [400, 201]
    [day] = live_server.days(patient).values()
    assert (day["headaches"], day["version"]) == ([], 1)


def test_the_service_worker_sends_the_outbox_with_no_page_open(phone, live_server, patient):
    context, page = logged_in_page(phone, patient)
    context.set_offline(True)
    answer_headache(page, None)
    page.fill("#notes", "Sent by the service worker")
    page.evaluate("document.querySelector('#day-form').requestSubmit()")
    page.locator(STATUS).get_by_text("Saved on this phone, will sync.").wait_for()

    # Chromium fires the 'sync' event when the connection returns; here it is fired by hand,
    # once every page is closed, so only the worker can be sending.
    blank = context.new_page()  # keeps the browser context (and a CDP session) alive
    cdp = context.new_cdp_session(blank)
    registrations: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    blank.wait_for_timeout(300)
    [registration] = [r for r in registrations if r["scopeURL"] == live_server.url + "/"]
    page.close()
    context.set_offline(False)
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {
            "origin": live_server.url,
            "registrationId": registration["registrationId"],
            "tag": "diary-outbox",
            "lastChance": False,
        },
    )
    for _ in range(50):
        if live_server.days(patient):
            break
        blank.wait_for_timeout(100)
    [day] = live_server.days(patient).values()
    assert (day["notes"], day["version"]) == ("Sent by the service worker", 1)
