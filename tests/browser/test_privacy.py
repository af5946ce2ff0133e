"""What the browser keeps of a patient's diary: only while they use it. After logging out, and
after someone else logs in on the same browser, nothing of theirs is left in IndexedDB, Cache
Storage or session storage (nor the copy of a save kept while it is sent); a day still waiting
is sent, or thrown away only when they say so."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from .answers import answer_headache
from .conftest import log_in, offline_ready, service_worker_ready, tap_save

pytestmark = pytest.mark.browser
STATUS = "[data-offline-status]"
KEPT_PATHS = {"/offline", "/offline/day", "/manifest.webmanifest"}
# The warning-sign advice pages (docs/red-flags.md) are the same for everyone and hold no health
# data: they stay cached so that the advice opens offline, even after a logout.
ADVICE_PAGES = ("/red-flags",)

DUMP_INDEXEDDB = """async () => {
    const out = {};
    for (const info of await indexedDB.databases()) {
        const db = await new Promise((resolve, reject) => {
            const request = indexedDB.open(info.name);
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
        });
        out[info.name] = {};
        for (const store of Array.from(db.objectStoreNames)) {
            out[info.name][store] = await new Promise((resolve) => {
                const request = db.transaction(store).objectStore(store).getAll();
                request.onsuccess = () => resolve(request.result);
            });
        }
        db.close();
    }
    return out;
}"""

DUMP_CACHES = """async () => {
    const out = [];
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
            const response = await cache.match(request);
            const type = response.headers.get("Content-Type") || "";
            const text = /text|json|javascript/.test(type) ? await response.text() : "";
            out.push({cache: name, url: request.url, type, text});
        }
    }
    return out;
}"""


def stored_in_browser(page) -> str:
    """Everything the diary's origin keeps in this browser, as one text to search."""
    import json

    return json.dumps(
        {
            "indexeddb": page.evaluate(DUMP_INDEXEDDB),
            "caches": page.evaluate(DUMP_CACHES),
            "session": page.evaluate("JSON.stringify(Object.entries(sessionStorage))"),
            "local": page.evaluate("JSON.stringify(Object.entries(localStorage))"),
        }
    )


def log_day(page, note: str) -> None:
    """Fill in the day shown (a headache, 8 out of 10, and a note) and tap Save."""
    answer_headache(page, 8)
    page.fill("#notes", note)
    tap_save(page)


def secret() -> str:
    return f"secret-{uuid.uuid4().hex[:12]}"


def a_day_waiting_offline(phone, patient):
    """A phone of the patient's with a day logged offline (a secret note), waiting to sync."""
    context = phone()
    page = context.new_page()
    log_in(page, patient)
    service_worker_ready(page)
    note = secret()
    context.set_offline(True)
    log_day(page, note)
    page.locator(STATUS).get_by_text("1 day waiting to sync").wait_for()
    return context, page, note


def assert_only_data_free_caches(page, base_url: str) -> None:
    for item in page.evaluate(DUMP_CACHES):
        path = item["url"].removeprefix(base_url).split("?")[0]
        assert path in KEPT_PATHS or path.startswith(("/static/", *ADVICE_PAGES)), item["url"]


def test_logging_out_leaves_no_health_data_and_asks_before_dropping_unsent_days(phone, live_server, patient):
    context = phone()
    page = context.new_page()
    log_in(page, patient)
    service_worker_ready(page)
    yesterday = (live_server.today(patient) - timedelta(days=1)).isoformat()
    synced_note, waiting_note = secret(), secret()

    log_day(page, synced_note)  # online: an ordinary save
    page.locator(".flash").wait_for()
    offline_ready(page)  # the page answering the save drops the copy kept while it was sent
    assert_only_data_free_caches(page, live_server.url)
    assert synced_note not in stored_in_browser(page)

    # A day that cannot be sent: the server refuses every write from this phone for now.
    context.route("**/api/v1/patients/me/days/**", lambda route: route.abort("internetdisconnected"))
    page.goto(f"/days/{yesterday}")
    context.set_offline(True)
    log_day(page, waiting_note)
    page.locator(STATUS).get_by_text("1 day waiting to sync").wait_for()
    assert waiting_note in stored_in_browser(page)
    context.set_offline(False)

    page.goto("/account")
    with page.expect_event("dialog") as asked:
        page.get_by_role("button", name="Log out").click()
    assert "1 day saved on this phone could not be sent to your diary yet" in asked.value.message
    asked.value.dismiss()
    assert page.url.endswith("/account")  # said no: still logged in, the day still here
    assert waiting_note in stored_in_browser(page)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    kept = stored_in_browser(page)
    for private in (synced_note, waiting_note, patient.email, patient.id):
        assert private not in kept
    assert page.evaluate(DUMP_INDEXEDDB) == {}
    assert_only_data_free_caches(page, live_server.url)
    # The day the patient chose to drop never reached the server; the other one did.
    assert [d["notes"] for d in live_server.days(patient).values()] == [synced_note]


def test_logging_out_sends_waiting_days_first(phone, live_server, patient):
    context, page, note = a_day_waiting_offline(phone, patient)
    context.route("**/api/v1/patients/me/days/**", lambda route: route.abort("internetdisconnected"))
    context.set_offline(False)
    page.goto("/account")
    context.unroute("**/api/v1/patients/me/days/**")
    questions: list[str] = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    assert questions == []  # everything was sent, so nothing to ask
    assert [d["notes"] for d in live_server.days(patient).values()] == [note]
    assert note not in stored_in_browser(page)


def test_another_person_logging_in_on_this_browser_finds_nothing_of_the_last_one(phone, live_server, patient):
    context, page, note = a_day_waiting_offline(phone, patient)
    context.clear_cookies()  # the login ended without a logout (expired, or taken back)
    context.set_offline(False)

    page.goto("/login")
    notice = page.locator(STATUS)
    notice.get_by_text("Log in as the same person to send them").wait_for()
    someone_else = live_server.patient()
    log_in(page, someone_else)
    page.evaluate("DiaryOffline.ready")
    kept = stored_in_browser(page)
    assert note not in kept and patient.id not in kept
    assert page.evaluate(DUMP_INDEXEDDB) == {"diary-offline": {"meta": [someone_else.id], "outbox": []}}
    assert live_server.days(someone_else) == {} and live_server.days(patient) == {}


def test_a_save_lost_on_its_way_is_not_left_for_the_next_person(phone, live_server, patient):
    """A save kept on the phone while it was sent, whose request died (no service worker), waits
    for the same person; someone else logging in finds nothing of it, and it is never sent."""
    context = phone(service_workers="block")
    page = context.new_page()
    log_in(page, patient)
    offline_ready(page)
    note = secret()
    context.route("**/days/**", lambda route: route.abort("internetdisconnected"))
    with page.expect_event("requestfailed"):
        log_day(page, note)
    context.unroute("**/days/**")
    context.clear_cookies()

    page.goto("/login")
    page.locator(STATUS).get_by_text("Log in as the same person to send them").wait_for()
    someone_else = live_server.patient()
    log_in(page, someone_else)
    offline_ready(page)
    kept = stored_in_browser(page)
    assert note not in kept and patient.id not in kept
    assert live_server.days(someone_else) == {} and live_server.days(patient) == {}


def test_the_same_person_logging_in_again_sends_the_days_that_waited(phone, live_server, patient):
    context, page, note = a_day_waiting_offline(phone, patient)
    context.clear_cookies()
    context.set_offline(False)  # the page tries, and learns that the login has ended
    prompt = page.locator("[data-login-needed]")
    prompt.wait_for()
    assert "Log in again to send 1 day saved on this phone" in prompt.inner_text()
    assert live_server.days(patient) == {}

    prompt.get_by_role("link", name="Log in again").click()
    page.fill("#email", patient.email)
    page.fill("#password", patient.password)
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/today")
    page.locator(STATUS).get_by_text("Synced.").wait_for()
    [day] = live_server.days(patient).values()
    assert (day["notes"], day["version"]) == (note, 1)
