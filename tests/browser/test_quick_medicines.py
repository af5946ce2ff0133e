"""The quick medicine list on a phone (390 x 844, issue 11 item 2): the patient's own medicines
come first, and the common ones (paracetamol, ibuprofen, co-codamol) stay after them, so one
ibuprofen entry never hides the others."""

from __future__ import annotations

from datetime import timedelta

import pytest

from .answers import answer_headache
from .conftest import log_in, offline_ready, shot, tap_save

pytestmark = pytest.mark.browser
COMMON = ["Paracetamol 500 mg", "Ibuprofen 400 mg", "Co-codamol 8/500"]


def listed(page) -> list[str]:
    return [
        name.replace(": doses taken", "").strip()
        for name in page.locator("[data-med-name]").all_inner_texts()
    ]


def take_one(page, name: str) -> None:
    page.locator("[data-med-name]", has_text=name).click()  # a tap on the name takes one dose


def test_one_ibuprofen_entry_leaves_paracetamol_and_co_codamol_on_today(phone, live_server, patient):
    page = phone().new_page()
    log_in(page, patient)
    offline_ready(page)
    assert listed(page) == COMMON

    yesterday = live_server.today(patient) - timedelta(days=1)
    page.goto(f"/days/{yesterday}")
    offline_ready(page)
    take_one(page, "Ibuprofen 400 mg")
    answer_headache(page, None)
    tap_save(page)
    page.wait_for_url("**/calendar*")
    assert [m["name"] for m in live_server.days(patient)[yesterday.isoformat()]["medications"]] == [
        "Ibuprofen 400 mg"
    ]

    page.goto("/today")
    offline_ready(page)
    assert listed(page) == ["Ibuprofen 400 mg", "Paracetamol 500 mg", "Co-codamol 8/500"]
    shot(page, "quick-medicines-after-ibuprofen")
    take_one(page, "Co-codamol 8/500")
    tap_save(page)
    page.locator(".flash").get_by_text("Saved today.").wait_for()
    today = live_server.days(patient)[live_server.today(patient).isoformat()]
    assert [(m["name"], m["doses"]) for m in today["medications"]] == [("Co-codamol 8/500", 1)]


def test_a_medicine_added_by_name_is_listed_first_next_time(phone, live_server, patient):
    page = phone().new_page()
    log_in(page, patient)
    offline_ready(page)
    yesterday = live_server.today(patient) - timedelta(days=1)
    page.goto(f"/days/{yesterday}")
    offline_ready(page)
    page.get_by_text("Add a medicine not listed").click()
    page.get_by_label("Name and strength").fill("Sumatriptan 50 mg")
    assert page.get_by_label("Kind of medicine").last.input_value() == "triptan"  # from the list
    answer_headache(page, None)
    tap_save(page)
    page.wait_for_url("**/calendar*")
    page.goto("/today")
    offline_ready(page)
    assert listed(page) == ["Sumatriptan 50 mg", *COMMON]
