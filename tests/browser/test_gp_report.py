"""The GP report (docs/export-import.md): Chromium prints the demo patient's report on one A4
page, which is what "Save as PDF" keeps; the page reached from My progress."""

from __future__ import annotations

import re

import pytest

from diary import demo

from .conftest import Account, log_in
from .test_print_summary import page_count

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_patient(live_server) -> Account:
    with live_server.app.app_context():
        demo.load_demo_data()
    email, password = demo.DEMO_LOGINS["patient"]
    return Account("", email, password)


def test_the_gp_report_prints_on_one_a4_page(browser, live_server, demo_patient):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        log_in(page, demo_patient, then="/today")
        page.goto("/progress")
        page.click("text=A one-page report for your GP")
        page.wait_for_url("**/progress/report")
        assert page.locator(".gp-months tbody tr").count() >= 6
        page.emulate_media(media="print")
        assert page.locator(".doc-tools").is_hidden()  # no buttons or links on paper
        pdf = page.pdf(format="A4")
        assert page_count(pdf) == 1
        assert re.search(rb"/MediaBox \[0 0 59[56](\.\d+)? 84[12](\.\d+)?\]", pdf)  # A4: 595 x 842 points
    finally:
        context.close()
