"""Installable, and opens without a network: Chromium's own install criteria hold (manifest,
icons, a service worker controlling the start URL), the shell and the offline page stand in for
pages when the network is gone, and a new version of the app replaces the old caches and says so."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta

import pytest

from .conftest import CHROMIUM_ARGS, PHONE, log_in, service_worker_ready

pytestmark = pytest.mark.browser


def test_chromium_finds_the_app_installable(playwright, chromium_path, live_server, patient, tmp_path):
    # A persistent profile: Chromium never offers to install from an incognito one.
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=chromium_path,
        args=CHROMIUM_ARGS,
        base_url=live_server.url,
        **PHONE,
    )
    try:
        page = context.new_page()
        log_in(page, patient)
        service_worker_ready(page)
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == []
        data = json.loads(manifest["data"])
        assert (data["name"], data["short_name"], data["start_url"], data["scope"], data["display"]) == (
            "Headache diary",
            "Diary",
            "/today",
            "/",
            "standalone",
        )
        assert {(i["sizes"], i["purpose"]) for i in data["icons"]} == {
            ("192x192", "any"),
            ("512x512", "any"),
            ("512x512", "maskable"),
        }
        worker = page.evaluate("""navigator.serviceWorker.ready.then(r => ({
            scope: r.scope, state: r.active.state, url: r.active.scriptURL}))""")
        assert worker == {
            "scope": live_server.url + "/",
            "state": "activated",
            "url": live_server.url + "/sw.js",
        }
        assert cdp.send("Page.getInstallabilityErrors") == {"installabilityErrors": []}
    finally:
        context.close()


def test_without_a_network_day_pages_open_as_the_shell_and_the_rest_as_the_offline_page(
    phone, live_server, patient
):
    context = phone()
    page = context.new_page()
    log_in(page, patient)
    service_worker_ready(page)
    three_days_ago = live_server.today(patient) - timedelta(days=3)
    context.set_offline(True)

    page.goto("/today")
    assert page.locator("#day-form[data-shell]").count() == 1
    assert page.locator(".day-head h1").inner_text().startswith("Today")
    assert page.title() == "Today · Headache diary"
    # The kept styles apply (the page is not bare HTML).
    assert page.evaluate("getComputedStyle(document.querySelector('.card')).borderRadius") != "0px"

    page.goto(f"/days/{three_days_ago.isoformat()}")
    assert page.locator("#day-form").get_attribute("action") == f"/days/{three_days_ago.isoformat()}"
    assert " ".join(page.locator(".day-head h1").inner_text().split()) == three_days_ago.strftime(
        "%A %-d %B %Y"
    )
    assert page.get_by_role("button", name="Save this day").count() == 1

    for path in ("/calendar", "/account", "/login"):
        page.goto(path)
        assert page.title() == "Offline · Headache diary", path
        assert page.get_by_role("link", name="Log today").count() == 1


@pytest.fixture
def own_static_folder(live_server, tmp_path):
    """The server's static files from a copy, so that a test can deploy a change to one."""
    app = live_server.app
    original = app.static_folder
    shutil.copytree(original, tmp_path / "static")
    app.static_folder = str(tmp_path / "static")
    yield tmp_path / "static"
    app.static_folder = original


def test_a_new_version_replaces_the_old_caches_and_offers_a_reload(
    phone, live_server, patient, own_static_folder
):
    context = phone()
    page = context.new_page()
    log_in(page, patient)
    service_worker_ready(page)
    before = page.evaluate("caches.keys()")
    assert len(before) == 1 and before[0].startswith("diary-static-")

    with open(own_static_folder / "css" / "app.css", "a") as css:
        css.write("\n/* a new release */\n")
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    banner = page.locator(".offline-update")
    banner.wait_for()
    assert banner.inner_text().startswith("A new version is ready — reload")
    after = page.evaluate("caches.keys()")
    assert len(after) == 1 and after != before
    banner.get_by_role("button", name="Reload").click()
    page.wait_for_load_state()
    assert page.locator(".offline-update").count() == 0
