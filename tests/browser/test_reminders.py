"""Reminders in Chromium (docs/reminders.md): a push delivered through the DevTools protocol
(ServiceWorker.deliverPushMessage) is shown as a notification by the service worker, and a tap
on it takes the diary's window to the page it names; "Remind me on this phone" asks for
permission only when tapped."""

from __future__ import annotations

import json
import time

import pytest

from .conftest import log_in, service_worker_ready

pytestmark = pytest.mark.browser

MESSAGE = {
    "title": "Time for your headache diary",
    "body": "How was today? It takes a few taps.",
    "url": "/today",
}


def registration_id(cdp, page) -> str:
    """The service worker registration's id, as DevTools names it (polled: events arrive while
    Playwright talks to the browser)."""
    found: list[str] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: found.extend(r["registrationId"] for r in event["registrations"] if not r["isDeleted"]),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(100):
        if found:
            return found[0]
        page.wait_for_function("true", polling=50, timeout=1000)
    raise AssertionError("DevTools named no service worker registration")


SHOWN = """navigator.serviceWorker.ready.then(r => r.getNotifications()).then(shown => shown.map(
    n => ({title: n.title, body: n.body, tag: n.tag, data: n.data})))"""


def shown_until(page, done, seconds: float = 10.0) -> list[dict]:
    """The notifications the service worker shows, polled until `done(shown)` holds. (Polled from
    here: wait_for_function takes a promise the page returns for a truthy answer, and went on
    before the notification was shown.)"""
    deadline = time.monotonic() + seconds
    while True:
        shown = page.evaluate(SHOWN)
        if done(shown) or time.monotonic() > deadline:
            return shown
        page.wait_for_timeout(50)


def test_a_push_is_shown_as_a_notification_and_a_tap_opens_today(phone, live_server, patient):
    context = phone()
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = context.new_page()
    log_in(page, patient)
    service_worker_ready(page)
    page.goto("/account")
    cdp = context.new_cdp_session(page)
    registration = registration_id(cdp, page)

    def push(message: dict) -> dict:
        """Deliver a push; the one notification shown once it has (it replaces the last: the
        worker shows every reminder with one tag). Nothing is closed in between: in one full run
        a push's notification never appeared after the last one was closed, likely closed with
        it (Chromium closes by tag, after getNotifications() has stopped listing the old one)."""
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": live_server.url, "registrationId": registration, "data": json.dumps(message)},
        )
        shown = shown_until(page, lambda shown: [n["body"] for n in shown] == [message["body"]])
        assert [n["body"] for n in shown] == [message["body"]], shown
        return shown[0]

    # A push naming another site (the server never sends one) still opens only the diary. Each
    # has its own body, so that its notification is told from the one it replaces.
    for n, elsewhere in enumerate(("//evil.example/today", "/\\evil.example/today", "https://evil.example/")):
        assert push({**MESSAGE, "url": elsewhere, "body": f"Push {n}"})["data"] == {"url": "/today"}, (
            elsewhere
        )
    assert push(MESSAGE) == {
        "title": MESSAGE["title"],
        "body": MESSAGE["body"],
        "tag": "diary-reminder",
        "data": {"url": "/today"},
    }

    # The tap: the worker's own notificationclick handler, given the notification it showed.
    [worker] = context.service_workers
    worker.evaluate("""async () => {
        const [notification] = await self.registration.getNotifications();
        try {
            self.dispatchEvent(new NotificationEvent("notificationclick", { notification }));
        } catch { /* waitUntil refuses an event the browser did not send; the handler has run */ }
    }""")
    page.wait_for_url("**/today")
    assert shown_until(page, lambda shown: not shown) == []


def test_remind_me_asks_for_notifications_only_when_tapped(phone, live_server, patient):
    context = phone()
    page = context.new_page()
    page.add_init_script("""
        window.__asked = 0;
        const ask = Notification.requestPermission.bind(Notification);
        Notification.requestPermission = () => { window.__asked += 1; return ask(); };
    """)
    log_in(page, patient)
    page.goto("/account")
    section = page.locator("[data-push-setup]")
    section.wait_for(state="visible")
    assert page.evaluate("window.__asked") == 0
    page.click("[data-push-subscribe]")
    page.wait_for_function("window.__asked === 1", polling=50)
