"""Logging offline in a real browser: a day saved without a network waits on the phone, survives
a reload, and reaches the server exactly once when the network returns; so does a save whose
request dies, with or without a service worker, and a day cleared offline; two phones editing one
day meet a conflict that the patient settles either way. On SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from .answers import answer_headache
from .conftest import log_in, offline_ready, service_worker_ready, shot, tap_save

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


def puts_to_days(context) -> list[str]:
    seen: list[str] = []
    context.on("request", lambda r: seen.append(r.url) if r.method == "PUT" and "/days/" in r.url else None)
    return seen


def test_a_day_logged_offline_waits_survives_a_reload_and_reaches_the_server_once(
    phone, live_server, patient
):
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
        ("Ibuprofen 400 mg", "non_opioid_analgesic", 1)
    ]
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


# The outbox as stored, read from another page of the same phone while a save is on its way (that
# page opens no database of its own: a missing one stays missing).
READ_OUTBOX = """async () => {
    if (!(await indexedDB.databases()).some((d) => d.name === "diary-offline")) return null;
    const db = await new Promise((resolve, reject) => {
        const request = indexedDB.open("diary-offline");
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
    });
    const entries = await new Promise((resolve) => {
        const request = db.transaction("outbox").objectStore("outbox").getAll();
        request.onsuccess = () => resolve(request.result);
    });
    db.close();
    return entries;
}"""


def test_a_save_whose_request_dies_before_any_service_worker_is_kept_and_sent_once(
    phone, live_server, patient
):
    """No service worker controls the page (a first visit, or none installed), the phone believes
    it is online, and the save's request dies: the browser shows its own error page. The day was
    kept on the phone before it was sent, and the next page opened sends it, once."""
    context = phone(service_workers="block")
    page = context.new_page()
    log_in(page, patient)
    offline_ready(page)
    today = live_server.today(patient).isoformat()
    answer_headache(page, 4)
    page.fill("#notes", "Saved into a dead connection")
    context.route("**/days/**", lambda route: route.abort("internetdisconnected"))
    with page.expect_event("requestfailed"):
        tap_save(page)
    assert live_server.days(patient) == {}

    # Pages load again; the diary's API still fails for a moment, so the day is seen waiting.
    context.unroute("**/days/**")
    context.route("**/api/v1/patients/me/days/**", lambda route: route.abort("internetdisconnected"))
    page.goto("/today")
    status = page.locator(STATUS)
    status.get_by_text("Saved on this phone, will sync.").wait_for()
    assert "1 day waiting to sync" in status.inner_text()
    assert page.input_value("#notes") == "Saved into a dead connection"
    assert page.locator("input[name='headaches.0.intensity'][value='4']").is_checked()
    assert page.locator("main p.status").inner_text() == "Saved on this phone, waiting to sync."
    shot(page, "5-kept-without-service-worker")

    context.unroute("**/api/v1/patients/me/days/**")
    status.get_by_text("Synced.").wait_for()  # the next try, by itself
    days = live_server.days(patient)
    assert list(days) == [today]
    assert (
        days[today]["notes"],
        [h["intensity"] for h in days[today]["headaches"]],
        days[today]["version"],
    ) == ("Saved into a dead connection", [4], 1)
    assert page.evaluate("DiaryOffline.outbox.all()") == []
    assert page.input_value("input[name=version]") == "1"
    page.reload()
    offline_ready(page)
    assert page.evaluate("DiaryOffline.outbox.all()") == []
    assert list(live_server.days(patient)) == [today]


def test_saves_the_server_answers_leave_nothing_on_the_phone(phone, live_server, patient):
    """A save sent as a page is kept on the phone while it travels; the page that answers it (the
    one the save lands on, or the editor sent back with the patient's errors) drops it."""
    context = phone()
    page = open_today(context, patient)
    today = live_server.today(patient).isoformat()
    watcher = context.new_page()
    watcher.goto("/static/images/icon.svg")  # the same phone and site, and no script of the diary's
    kept: list = []

    def look_then_send(route):
        if route.request.method == "POST":
            kept.append(watcher.evaluate(READ_OUTBOX))
        route.continue_()

    context.route("**/days/**", look_then_send)
    answer_headache(page, 3)
    page.fill("#notes", "An ordinary save")
    tap_save(page)
    page.locator(".flash").get_by_text("Saved today.").wait_for()
    offline_ready(page)
    assert [[(e["date"], e["state"], e["day"]["notes"]) for e in entries] for entries in kept] == [
        [(today, "sending", "An ordinary save")]
    ]
    assert page.evaluate("DiaryOffline.outbox.all()") == []
    assert "waiting to sync" not in page.locator(STATUS).inner_text()
    assert live_server.days(patient)[today]["notes"] == "An ordinary save"

    # A medicine with no kind: the server sends the editor back with the patient's input.
    page.click("summary:has-text('Add a medicine not listed')")
    page.locator("details.another input[list=catalogue]").last.fill("Mystery tablets")
    page.fill("#notes", "Refused, for now")
    tap_save(page)
    page.locator(".error-summary").wait_for()
    offline_ready(page)
    assert [e["day"]["notes"] for e in kept[-1]] == ["Refused, for now"]
    assert page.evaluate("DiaryOffline.outbox.all()") == []
    assert "waiting to sync" not in page.locator(STATUS).inner_text()
    assert page.input_value("#notes") == "Refused, for now"
    assert live_server.days(patient)[today]["notes"] == "An ordinary save"


def test_a_day_cleared_offline_is_cleared_in_the_diary_once_online(phone, live_server, patient):
    context = phone()
    yesterday = (live_server.today(patient) - timedelta(days=1)).isoformat()
    page = open_today(context, patient, f"/days/{yesterday}")
    answer_headache(page, 5)
    page.fill("#notes", "A day to clear")
    tap_save(page)
    page.locator(".flash").wait_for()
    assert list(live_server.days(patient)) == [yesterday]

    page.goto(f"/days/{yesterday}")
    offline_ready(page)
    context.set_offline(True)
    page.once("dialog", lambda dialog: dialog.accept())  # "Clear everything logged for ...?"
    page.get_by_role("button", name="Clear this day").click()
    status = page.locator(STATUS)
    status.get_by_text("Cleared on this phone, will sync.").wait_for()
    assert "1 day waiting to sync" in status.inner_text()
    assert page.locator("main p.status").inner_text() == "Cleared on this phone, waiting to sync."
    assert page.input_value("#notes") == ""
    assert not page.locator("form[data-clear-day]").is_visible()
    shot(page, "6-cleared-offline")
    assert list(live_server.days(patient)) == [yesterday]

    page.reload()  # the shell, offline: the day still shows as cleared
    page.locator("main p.status").get_by_text("Cleared on this phone, waiting to sync.").wait_for()
    assert "1 day waiting to sync" in status.inner_text()

    context.set_offline(False)
    status.get_by_text("Synced.").wait_for()
    assert live_server.days(patient) == {}
    assert page.evaluate("DiaryOffline.outbox.all()") == []
    assert (
        page.locator("main p.status").inner_text()
        == "Cleared, and synced to your diary: this day counts as not logged."
    )


def test_a_clear_sent_online_is_dropped_once_answered_and_kept_when_its_request_dies(
    phone, live_server, patient
):
    context = phone()
    today = live_server.today(patient)
    days = [(today - timedelta(days=n)).isoformat() for n in (2, 1)]
    page = open_today(context, patient)
    for day in days:
        page.goto(f"/days/{day}")
        answer_headache(page, None)
        tap_save(page)
        page.locator(".flash").wait_for()
    assert list(live_server.days(patient)) == days

    def clear(day, connection_dies=False):
        page.goto(f"/days/{day}")
        offline_ready(page)
        if connection_dies:
            context.route("**/days/**", lambda route: route.abort("internetdisconnected"))
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Clear this day").click()

    clear(days[0])  # answered: the calendar says so, and nothing is left on the phone
    page.locator(".flash").get_by_text("is cleared; it counts as not logged").wait_for()
    offline_ready(page)
    assert page.evaluate("DiaryOffline.outbox.all()") == []
    assert list(live_server.days(patient)) == [days[1]]

    # A dead connection: the service worker sends the page back, and the clear waits there.
    clear(days[1], connection_dies=True)
    status = page.locator(STATUS)
    status.get_by_text("Cleared on this phone, will sync.").wait_for()
    assert page.evaluate("location.pathname") == f"/days/{days[1]}"
    assert list(live_server.days(patient)) == [days[1]]
    context.unroute("**/days/**")
    status.get_by_text("Synced.").wait_for()
    assert live_server.days(patient) == {}
    assert page.evaluate("DiaryOffline.outbox.all()") == []


def test_a_day_cleared_offline_and_changed_on_another_phone_is_the_patients_choice(
    phone, live_server, patient
):
    yesterday = (live_server.today(patient) - timedelta(days=1)).isoformat()
    a, b = phone(), phone()
    page_a = open_today(a, patient, f"/days/{yesterday}")
    answer_headache(page_a, 5)
    tap_save(page_a)
    page_a.locator(".flash").wait_for()
    page_a.goto(f"/days/{yesterday}")
    offline_ready(page_a)
    page_b = open_today(b, patient, f"/days/{yesterday}")

    a.set_offline(True)
    page_a.once("dialog", lambda dialog: dialog.accept())
    page_a.get_by_role("button", name="Clear this day").click()
    page_a.locator(STATUS).get_by_text("Cleared on this phone, will sync.").wait_for()
    page_b.fill("#notes", "Phone B: it was a 5, and a long one")
    tap_save(page_b)
    page_b.locator(".flash").wait_for()

    a.set_offline(False)
    conflict = page_a.locator("[data-conflict]")
    conflict.wait_for()
    text = conflict.inner_text()
    assert "Nothing: the day was cleared." in text and "Phone B: it was a 5, and a long one" in text
    conflict.get_by_role("button", name="Keep this phone's version").click()
    page_a.locator(STATUS).get_by_text("Synced.").wait_for()
    assert live_server.days(patient) == {}
    assert page_a.evaluate("DiaryOffline.outbox.all()") == []


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


def test_two_phones_editing_one_day_meet_a_412_and_keeping_this_phones_version_wins(
    phone, live_server, patient
):
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


def test_two_phones_editing_one_day_meet_a_412_and_keeping_the_other_version_wins(
    phone, live_server, patient
):
    yesterday = (live_server.today(patient) - timedelta(days=1)).isoformat()
    page_a, conflict = _conflict(phone, live_server, patient, f"/days/{yesterday}")
    conflict.get_by_role("button", name="Keep the other version").click()
    page_a.locator(STATUS).get_by_text("Kept the other version.").wait_for()
    assert page_a.evaluate("DiaryOffline.outbox.all()") == []
    [day] = live_server.days(patient).values()
    assert (day["notes"], [h["intensity"] for h in day["headaches"]], day["version"]) == (
        "Phone B: a mild one in the evening",
        [3],
        1,
    )
    # Phone A's editor now shows the version kept, and builds on it.
    assert page_a.input_value("#notes") == "Phone B: a mild one in the evening"
    assert page_a.input_value("input[name=version]") == "1"
    assert page_a.locator("[data-conflict]").count() == 0


def _doc_table(heading: str) -> list[list[str]]:
    """The rows of the table in docs/offline.md whose header row starts with `heading`."""
    text = (Path(__file__).parents[2] / "docs" / "offline.md").read_text()
    table = text.split(f"| {heading} |", 1)[1].split("\n\n", 1)[0]
    rows = [line.strip("|").split("|") for line in table.splitlines()[2:]]
    return [[cell.strip().replace("`", "") for cell in row] for row in rows]


def test_docs_offline_md_lists_every_outbox_state_and_move_as_outbox_js_has_them(phone, live_server):
    page = phone().new_page()
    page.goto("/offline")
    states = page.evaluate("Object.keys(DiaryOffline.STATES)")
    assert [row[0] for row in _doc_table("state")] == states
    moves = page.evaluate("DiaryOffline.MOVES")
    documented = {}
    for name, starts, to, _when in _doc_table("move"):
        documented[name] = [["new", *states] if starts == "any" else starts.split(", "), to]
    assert documented == moves
