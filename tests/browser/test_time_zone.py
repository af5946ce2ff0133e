"""The time zone field in a real browser (issue 11 item 9): the register page takes the browser's
zone, a search box narrows the places by city or country, and the account page offers this
device's zone when it differs from the diary's."""

from __future__ import annotations

import pytest

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_register_takes_the_browsers_zone_and_the_search_finds_a_city(phone, live_server):
    page = phone(timezone_id="America/Chicago").new_page()
    page.goto("/register")
    zone = page.locator("select#timezone")
    assert zone.input_value() == "America/Chicago"
    assert page.locator("[data-timezone-device]").inner_text() == (
        "Set from this device: Chicago, United States (Central)."
    )
    page.get_by_label("Find your city or country").fill("japan")
    assert zone.locator("option").all_inner_texts() == ["Tokyo, Japan"]
    assert zone.input_value() == "Asia/Tokyo"
    page.get_by_label("Find your city or country").fill("united states")
    assert len(zone.locator("option").all_inner_texts()) >= 6
    page.get_by_label("Find your city or country").fill("atlantis")
    assert "No place matches" in page.locator("[data-timezone-device]").inner_text()
    page.get_by_label("Find your city or country").fill("chicago")
    page.fill("#display_name", "Jo")
    page.fill("#email", "jo.chicago@example.test")
    page.fill("#password", "copper-meadow-lantern-82")
    page.get_by_role("button", name="Start my diary").click()
    page.wait_for_url("**/today")
    page.goto("/account")
    assert page.locator("select#timezone").input_value() == "America/Chicago"


def test_a_zone_the_list_lacks_is_added_from_the_browser(phone, live_server):
    page = phone(timezone_id="America/Boise").new_page()
    page.goto("/register")
    assert page.locator("select#timezone").input_value() == "America/Boise"
    assert "Boise (America/Boise)" in page.locator("[data-timezone-device]").inner_text()


def test_the_account_page_offers_this_devices_zone(phone, live_server, patient):
    page = phone(timezone_id="Asia/Tokyo").new_page()
    log_in(page, patient)
    page.goto("/account")
    zone = page.locator("select#timezone")
    assert zone.input_value() == "Europe/London"  # the diary's zone, never changed by itself
    page.get_by_role("button", name="Use Tokyo, Japan").click()
    assert zone.input_value() == "Asia/Tokyo"
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved.").wait_for()
    assert page.locator("select#timezone").input_value() == "Asia/Tokyo"
