"""The one JS function that turns the day form into the API's day (offline.js formToDay) gives
what the server's own mapping (diary/web/forms.py day_from_form) gives for the same fields; and
filling the form from a queued day (dayToForm) and reading it back gives that day again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from diary import vocabulary as vocab
from diary.web.forms import day_from_form

from .conftest import log_in, tap_save

pytestmark = pytest.mark.browser
CATALOGUE = {name.casefold(): drug_class for name, drug_class in vocab.MEDICATION_CATALOGUE}

FORMS = {
    "empty": [],
    "no headache wins over filled rows": [
        ("headache_today", "no"), ("headaches.0.intensity", "7"), ("headaches.0.type", "migraine")],
    "two headaches, a blank block and a removed one": [
        ("headache_today", "yes"), ("headaches.0.intensity", "6"), ("headaches.0.type", "tension"),
        ("headaches.0.side", "both"), ("headaches.0.locations", "neck"),
        ("headaches.0.locations", "back_of_head"), ("headaches.0.symptoms", "nausea"),
        ("headaches.0.neck_provoked", "yes"), ("headaches.0.start", "08:30"),
        ("headaches.0.duration_minutes", "120"), ("headaches.1.type", "unsure"),
        ("headaches.1.side", ""), ("headaches.1.neck_provoked", ""), ("headaches.2.intensity", "3"),
        ("headaches.2.remove", "1"), ("headaches.3.intensity", " 9 "), ("headaches.3.neck_provoked", "no")],
    "numbers the schema must refuse pass through as text": [
        ("headache_today", "yes"), ("headaches.0.intensity", "abc"), ("headaches.1.intensity", "-1"),
        ("headaches.2.intensity", "1234567"), ("headaches.2.duration_minutes", "  "),
        ("soreness", "x"), ("exercises_done", "maybe")],
    "rows are read in number order, 10 after 2": [
        ("headaches.10.intensity", "4"), ("headaches.2.intensity", "5"),
        ("headaches.100.intensity", "8"), ("medications.12.name", "Aspirin 300 mg"),
        ("medications.12.drug_class", "non_opioid_analgesic"), ("medications.3.name", "Paracetamol 500 mg"),
        ("medications.3.drug_class", "non_opioid_analgesic"), ("medications.3.doses", "2")],
    "medicines: none taken, taken, typed from the list, typed without a name, removed": [
        ("medications.0.name", "Paracetamol 500 mg"), ("medications.0.drug_class", "non_opioid_analgesic"),
        ("medications.0.doses", "0"), ("medications.1.name", "Ibuprofen 400 mg"),
        ("medications.1.drug_class", "non_opioid_analgesic"), ("medications.1.doses", "2"),
        ("medications.1.time", "09:00"), ("medications.1.relief", "partial"),
        ("medications.2.name", " sumatriptan 50 MG "), ("medications.2.drug_class", ""),
        ("medications.2.doses", "1"), ("medications.3.name", ""), ("medications.3.drug_class", "triptan"),
        ("medications.3.doses", ""), ("medications.4.name", "Co-codamol 8/500"),
        ("medications.4.drug_class", "combination_analgesic"), ("medications.4.doses", "1"),
        ("medications.4.remove", "yes"), ("medications.5.name", ""), ("medications.5.drug_class", ""),
        ("medications.5.doses", "1")],
    "triggers, soreness, exercises and notes": [
        ("soreness", "3"), ("exercises_done", "yes"), ("triggers", "stress"), ("triggers", " "),
        ("triggers", "poor_sleep"), ("triggers_other", "red wine, ,cheese ,"), ("notes", "   ")],
    "empty notes and no exercises answer": [
        ("exercises_done", "no"), ("notes", ""), ("soreness", "0"), ("triggers_other", "")],
}


@pytest.fixture
def page(phone, live_server):
    page = phone().new_page()
    page.goto("/offline")
    page.evaluate("DiaryOffline.ready")
    return page


@pytest.mark.parametrize("case", FORMS)
def test_form_to_day_in_js_is_the_servers_mapping(page, case):
    entries = FORMS[case]
    expected, _rows = day_from_form(MultiDict(entries))
    got = page.evaluate("([entries, catalogue]) => DiaryOffline.formToDay(entries, catalogue)",
                        [entries, CATALOGUE])
    assert got == expected


def test_the_form_checks_of_the_page_are_made_before_queueing(page):
    problems = page.evaluate("""() => {
        const check = (entries) => DiaryOffline.formProblems(entries, DiaryOffline.formToDay(entries, {}));
        return [check([]), check([["headache_today", "yes"], ["headaches.2.type", "migraine"]]),
                check([["headache_today", "no"]])];
    }""")
    assert problems == [{"headache_today": ["Say whether you had a headache: tap No or Yes."]},
                        {"headaches.2.intensity": ["Say how bad the headache was, from 1 to 10."]}, {}]


QUIET_DAY = {"headaches": [], "medications": [], "soreness": 2, "exercises_done": True,
             "triggers": ["stress", "thunderstorms", "long drive"], "notes": "Quiet day"}
BUSY_DAY = {
    "headaches": [
        {"intensity": 7, "type": "migraine", "start": "07:10", "duration_minutes": 45, "side": "left",
         "locations": ["temples", "behind_eyes"], "symptoms": ["nausea", "aura"], "neck_provoked": False},
        {"intensity": 3, "type": "unsure"},
        {"intensity": 5, "type": "tension", "locations": ["neck"], "neck_provoked": True},
    ],
    "medications": [
        {"name": "Sumatriptan 50 mg", "doses": 1, "drug_class": "triptan", "time": "07:30"},
        {"name": "Paracetamol 500 mg", "doses": 2, "drug_class": "non_opioid_analgesic"},
        {"name": "Naproxen 250 mg", "doses": 1, "drug_class": "non_opioid_analgesic", "relief": "pain_free"},
        {"name": "Cold pack", "doses": 3, "drug_class": "other", "time": "21:00", "relief": "none"},
    ],
    "soreness": None, "exercises_done": False, "triggers": [], "notes": None,
}


def _round_trip(page, day, version):
    return page.evaluate("""([day, version]) => {
        DiaryOffline.dayToForm(day, version);
        const form = document.getElementById("day-form");
        const entries = Array.from(new FormData(form).entries());
        return {day: DiaryOffline.formToDay(entries, {}), version: form.elements.version.value};
    }""", [day, version])


def _same(got, expected):
    by_name = lambda day: {**day, "medications": sorted(day["medications"], key=lambda m: m["name"])}
    assert by_name(got) == by_name(expected)


@pytest.mark.parametrize("day", [QUIET_DAY, BUSY_DAY, QUIET_DAY], ids=["quiet", "busy", "busy then quiet"])
def test_a_queued_day_fills_the_offline_shell_and_reads_back_the_same(phone, day):
    page = phone().new_page()
    page.goto("/offline/day")
    page.evaluate("DiaryOffline.ready")
    if day is QUIET_DAY:
        _round_trip(page, BUSY_DAY, 4)  # a fuller day first: every row must be cleared again
    got = _round_trip(page, day, 3)
    _same(got["day"], day)
    assert got["version"] == "3"


def test_a_queued_day_fills_a_days_page_that_shows_another_version(phone, live_server, patient):
    page = phone().new_page()
    log_in(page, patient)
    yesterday = (live_server.today(patient) - timedelta(days=1)).isoformat()
    page.goto(f"/days/{yesterday}")
    page.click("label.option:has(input[name=headache_today][value=yes])")
    page.click("label.tap:has(input[name='headaches.0.intensity'][value='2'])")
    page.get_by_role("button", name="One more dose: Co-codamol 8/500").click()
    tap_save(page)
    page.locator(".flash").wait_for()  # saved: the server holds version 1
    page.goto(f"/days/{yesterday}")
    page.evaluate("DiaryOffline.ready")
    got = _round_trip(page, BUSY_DAY, 1)
    _same(got["day"], BUSY_DAY)
    got = _round_trip(page, QUIET_DAY, 2)
    _same(got["day"], QUIET_DAY)
