"""The one JS function that turns the day form into the API's day (offline.js formToDay) gives
what the server's own mapping (diary/web/forms.py day_from_form) gives for the same fields; and
filling the form from a queued day (dayToForm) and reading it back gives that day again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from diary import dayshape
from diary import vocabulary as vocab
from diary.schemas import DaySchema, day_schema
from diary.web.forms import day_from_form

from .answers import answer_headache
from .conftest import log_in, tap_save

pytestmark = pytest.mark.browser
CATALOGUE = {name.casefold(): drug_class for name, drug_class in vocab.MEDICATION_CATALOGUE}

FORMS = {
    "empty": [],
    "no headache wins over filled rows": [
        ("headache_today", "no"),
        ("headaches.0.intensity", "7"),
        ("headaches.0.type", "migraine"),
    ],
    "two headaches, a blank block and a removed one": [
        ("headache_today", "yes"),
        ("headaches.0.intensity", "6"),
        ("headaches.0.type", "tension"),
        ("headaches.0.side", "both"),
        ("headaches.0.locations", "neck"),
        ("headaches.0.locations", "back_of_head"),
        ("headaches.0.symptoms", "nausea"),
        ("headaches.0.neck_provoked", "yes"),
        ("headaches.0.start", "08:30"),
        ("headaches.0.duration_minutes", "120"),
        ("headaches.1.type", "unsure"),
        ("headaches.1.side", ""),
        ("headaches.1.neck_provoked", ""),
        ("headaches.2.intensity", "3"),
        ("headaches.2.remove", "1"),
        ("headaches.3.intensity", " 9 "),
        ("headaches.3.neck_provoked", "no"),
    ],
    "numbers the schema must refuse pass through as text": [
        ("headache_today", "yes"),
        ("headaches.0.intensity", "abc"),
        ("headaches.1.intensity", "-1"),
        ("headaches.2.intensity", "1234567"),
        ("headaches.2.duration_minutes", "  "),
        ("soreness", "x"),
        ("exercises_done", "maybe"),
    ],
    "rows are read in number order, 10 after 2": [
        ("headaches.10.intensity", "4"),
        ("headaches.2.intensity", "5"),
        ("headaches.100.intensity", "8"),
        ("medications.12.name", "Aspirin 300 mg"),
        ("medications.12.drug_class", "non_opioid_analgesic"),
        ("medications.3.name", "Paracetamol 500 mg"),
        ("medications.3.drug_class", "non_opioid_analgesic"),
        ("medications.3.doses", "2"),
    ],
    "medicines: none taken, taken, typed from the list, typed without a name, removed": [
        ("medications.0.name", "Paracetamol 500 mg"),
        ("medications.0.drug_class", "non_opioid_analgesic"),
        ("medications.0.doses", "0"),
        ("medications.1.name", "Ibuprofen 400 mg"),
        ("medications.1.drug_class", "non_opioid_analgesic"),
        ("medications.1.doses", "2"),
        ("medications.1.time", "09:00"),
        ("medications.1.relief", "partial"),
        ("medications.2.name", " sumatriptan 50 MG "),
        ("medications.2.drug_class", ""),
        ("medications.2.doses", "1"),
        ("medications.3.name", ""),
        ("medications.3.drug_class", "triptan"),
        ("medications.3.doses", ""),
        ("medications.4.name", "Co-codamol 8/500"),
        ("medications.4.drug_class", "combination_analgesic"),
        ("medications.4.doses", "1"),
        ("medications.4.remove", "yes"),
        ("medications.5.name", ""),
        ("medications.5.drug_class", ""),
        ("medications.5.doses", "1"),
    ],
    "triggers, soreness, exercises and notes": [
        ("soreness", "3"),
        ("exercises_done", "yes"),
        ("triggers", "stress"),
        ("triggers", " "),
        ("triggers", "poor_sleep"),
        ("triggers_other", "red wine, ,cheese ,"),
        ("notes", "   "),
    ],
    "empty notes and no exercises answer": [
        ("exercises_done", "no"),
        ("notes", ""),
        ("soreness", "0"),
        ("triggers_other", ""),
    ],
    "the headache question left open, with a medicine and soreness": [
        ("headache_today", ""),
        ("soreness", "2"),
        ("medications.0.name", "Paracetamol 500 mg"),
        ("medications.0.drug_class", "non_opioid_analgesic"),
        ("medications.0.doses", "1"),
    ],
    "the headache question left open, a headache rated": [("headaches.0.intensity", "4")],
    "yes with no headache rated": [("headache_today", "yes"), ("headaches.0.type", "unsure")],
    "an answer that is neither yes nor no": [("headache_today", "maybe"), ("headaches.0.intensity", "4")],
}


def _shape_example() -> list[tuple[str, str]]:
    """One filled-in form field for every field of the day's shape (diary/dayshape.py), so a field
    added there and not to offline.js's mapping fails the comparison below."""
    samples = {
        "number": "3",
        "text": "09:15",
        "choice": "migraine",
        "name": " Naproxen 250 mg ",
        "yes_no": "no",
        "words": "neck",
        "triggers": "stress",
    }
    entries = [("headache_today", "yes")]
    for field in dayshape.DAY:
        if field.name != "had_headache":
            entries.append((field.in_form, samples[field.form]))
    for items in dayshape.ITEMS:
        entries += [(f"{items.name}.0.{f.in_form}", samples[f.form]) for f in items.fields]
    return entries


FORMS["every field of the shape"] = _shape_example()


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
    got = page.evaluate(
        "([entries, catalogue]) => DiaryOffline.formToDay(entries, catalogue)", [entries, CATALOGUE]
    )
    assert got == expected


def test_the_form_checks_of_the_page_are_made_before_queueing(page):
    problems = page.evaluate("""() => {
        const check = (entries) => DiaryOffline.formProblems(entries, DiaryOffline.formToDay(entries, {}));
        return [check([]), check([["headache_today", "yes"], ["headaches.2.type", "migraine"]]),
                check([["headache_today", "no"]]), check([["soreness", "3"]])];
    }""")
    # The question may stay open; "Yes" needs how bad it was.
    assert problems == [
        {},
        {"headaches.2.intensity": ["Say how bad the headache was, from 1 to 10."]},
        {},
        {},
    ]


def test_the_js_mapping_has_the_fields_kinds_and_defaults_of_the_day_shape(page):
    """offline.js's FORM_FIELDS and DEFAULTS are written by hand: they must be dayshape's."""
    assert page.evaluate("DiaryOffline.FORM_FIELDS") == dayshape.form_kinds()
    defaults = page.evaluate("DiaryOffline.DEFAULTS")
    assert defaults["day"] == {f.name: f.empty() for f in dayshape.DAY if not f.derived}
    for items in dayshape.ITEMS:
        assert defaults[items.name] == {f.name: f.empty() for f in items.fields if not f.required}


@pytest.mark.parametrize(
    "day",
    [
        {},
        {"soreness": 3},
        {"had_headache": False},
        {"headaches": [{"intensity": 5}]},
        {
            "headaches": [{"intensity": 5}],
            "medications": [{"name": " Aspirin 300 mg ", "drug_class": "non_opioid_analgesic"}],
            "triggers": [" stress", "stress"],
            "notes": "  ",
        },
    ],
    ids=["empty", "soreness only", "said no", "a headache", "trimmed and defaulted"],
)
def test_the_js_reads_a_day_as_the_server_stores_it(page, day):
    """normalDay (how offline.js compares its copy with the server's) gives what the server
    stores for the same body, had_headache included."""
    stored = day_schema.dump(DaySchema().load(day))
    assert page.evaluate("(day) => DiaryOffline.normalDay(day)", day) == stored


QUIET_DAY = {
    "headaches": [],
    "medications": [],
    "soreness": 2,
    "exercises_done": True,
    "triggers": ["stress", "thunderstorms", "long drive"],
    "notes": "Quiet day",
}
BUSY_DAY = {
    "headaches": [
        {
            "intensity": 7,
            "type": "migraine",
            "start": "07:10",
            "duration_minutes": 45,
            "side": "left",
            "locations": ["temples", "behind_eyes"],
            "symptoms": ["nausea", "aura"],
            "neck_provoked": False,
        },
        {"intensity": 3, "type": "unsure"},
        {"intensity": 5, "type": "tension", "locations": ["neck"], "neck_provoked": True},
    ],
    "medications": [
        {"name": "Sumatriptan 50 mg", "doses": 1, "drug_class": "triptan", "time": "07:30"},
        {"name": "Paracetamol 500 mg", "doses": 2, "drug_class": "non_opioid_analgesic"},
        {"name": "Naproxen 250 mg", "doses": 1, "drug_class": "non_opioid_analgesic", "relief": "pain_free"},
        {"name": "Cold pack", "doses": 3, "drug_class": "other", "time": "21:00", "relief": "none"},
    ],
    "soreness": None,
    "exercises_done": False,
    "triggers": [],
    "notes": None,
}


def _round_trip(page, day, version):
    return page.evaluate(
        """([day, version]) => {
        DiaryOffline.dayToForm(day, version);
        const form = document.getElementById("day-form");
        const entries = Array.from(new FormData(form).entries());
        return {day: DiaryOffline.formToDay(entries, {}), version: form.elements.version.value};
    }""",
        [day, version],
    )


def _same(got, expected):
    """The same day as the server would store it, whatever the order of the medicines."""

    def stored(day):
        loaded = DaySchema().load(day)
        return {**loaded, "medications": sorted(loaded["medications"], key=lambda m: m["name"])}

    assert stored(got) == stored(expected)


UNANSWERED_DAY = {
    "headaches": [],
    "medications": [{"name": "Ibuprofen 400 mg", "doses": 1, "drug_class": "non_opioid_analgesic"}],
    "soreness": 4,
}
NO_HEADACHE_DAY = {**QUIET_DAY, "had_headache": False}


@pytest.mark.parametrize(
    "day",
    [QUIET_DAY, BUSY_DAY, QUIET_DAY, UNANSWERED_DAY, NO_HEADACHE_DAY],
    ids=["quiet", "busy", "busy then quiet", "unanswered", "said no"],
)
def test_a_queued_day_fills_the_offline_shell_and_reads_back_the_same(phone, day):
    page = phone().new_page()
    page.goto("/offline/day")
    page.evaluate("DiaryOffline.ready")
    if day is not BUSY_DAY:
        _round_trip(page, BUSY_DAY, 4)  # a fuller day first: every row must be cleared again
    got = _round_trip(page, day, 3)
    _same(got["day"], day)
    assert got["version"] == "3"


def test_a_queued_day_fills_a_days_page_that_shows_another_version(phone, live_server, patient):
    page = phone().new_page()
    log_in(page, patient)
    yesterday = (live_server.today(patient) - timedelta(days=1)).isoformat()
    page.goto(f"/days/{yesterday}")
    answer_headache(page, 2)
    page.get_by_role("button", name="One more dose: Co-codamol 8/500").click()
    tap_save(page)
    page.locator(".flash").wait_for()  # saved: the server holds version 1
    page.goto(f"/days/{yesterday}")
    page.evaluate("DiaryOffline.ready")
    got = _round_trip(page, BUSY_DAY, 1)
    _same(got["day"], BUSY_DAY)
    got = _round_trip(page, QUIET_DAY, 2)
    _same(got["day"], QUIET_DAY)
