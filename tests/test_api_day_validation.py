"""Every rule of a day record (docs/api.md "Diary days"): good values are stored, bad ones are a 422
problem keyed by field path and store nothing."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest

from . import clock
from .factories import assert_problem, day_body

MISSING = object()  # the field is left out of the body
SAME = object()  # the stored value is the value sent
AS_MANY = object()  # as many items are stored as were sent

DAY = (clock.today("Europe/London") - timedelta(days=10)).isoformat()
OTHER_DAY = (clock.today("Europe/London") - timedelta(days=11)).isoformat()
URL = "/api/v1/patients/me/days/{}"


def _parts(path: str) -> list:
    return [int(p) if p.isdigit() else p for p in path.split(".")]


def body_with(path: str, value) -> dict:
    """day_body() with the field at `path` set to `value` (or removed, for MISSING)."""
    body = copy.deepcopy(day_body())
    *parents, last = _parts(path)
    target = body
    for part in parents:
        target = target[part]
    if value is MISSING:
        del target[last]
    else:
        target[last] = value
    return body


def value_at(data, path: str):
    for part in _parts(path):
        data = data[part]
    return data


def headache(**fields) -> dict:
    return {"intensity": 5, **fields}


def medication(**fields) -> dict:
    return {"name": "Paracetamol 500 mg", "drug_class": "non_opioid_analgesic", **fields}


HEADACHE_TYPES = ["tension", "migraine", "cluster", "sinus", "other", "unsure"]
LOCATIONS = [
    "forehead",
    "temples",
    "behind_eyes",
    "top_of_head",
    "back_of_head",
    "neck",
    "shoulders",
    "jaw",
    "face",
]
SYMPTOMS = [
    "nausea",
    "vomiting",
    "light_sensitivity",
    "sound_sensitivity",
    "aura",
    "neck_stiffness",
    "sudden",
]
DRUG_CLASSES = ["non_opioid_analgesic", "triptan", "ergot", "opioid", "combination_analgesic", "other"]

# (field path, value sent, value read back; SAME when it is the value sent)
GOOD = [
    ("headaches.0.intensity", 1, SAME),
    ("headaches.0.intensity", 10, SAME),
    *[("headaches.0.type", word, SAME) for word in HEADACHE_TYPES],
    ("headaches.0.type", MISSING, "unsure"),
    *[("headaches.0.side", word, SAME) for word in ("left", "right", "both", None)],
    ("headaches.0.side", MISSING, None),
    ("headaches.0.locations", LOCATIONS, SAME),
    ("headaches.0.locations", [], SAME),
    ("headaches.0.locations", ["neck", "jaw", "neck"], ["neck", "jaw"]),
    ("headaches.0.symptoms", SYMPTOMS, SAME),
    ("headaches.0.symptoms", MISSING, []),
    ("headaches.0.duration_minutes", 1, SAME),
    ("headaches.0.duration_minutes", 4320, SAME),
    ("headaches.0.duration_minutes", None, SAME),
    ("headaches.0.start", "08:30", SAME),
    ("headaches.0.start", "00:00", SAME),
    ("headaches.0.start", "23:59", SAME),
    ("headaches.0.start", "8:30", "08:30"),  # tolerated on input, always written HH:MM
    ("headaches.0.start", None, SAME),
    ("headaches.0.start", MISSING, None),
    ("headaches.0.neck_provoked", False, SAME),
    ("headaches.0.neck_provoked", None, SAME),
    ("headaches", [], SAME),
    ("headaches", [headache(intensity=n % 10 + 1) for n in range(12)], AS_MANY),
    ("medications", [], SAME),
    ("medications", [medication() for _ in range(20)], AS_MANY),
    ("medications.0.name", "A", SAME),
    ("medications.0.name", "x" * 80, SAME),
    ("medications.0.name", "  Naproxen 250 mg ", "Naproxen 250 mg"),
    *[("medications.0.drug_class", word, SAME) for word in DRUG_CLASSES],
    ("medications.0.doses", 1, SAME),
    ("medications.0.doses", 20, SAME),
    ("medications.0.doses", MISSING, 1),
    ("medications.0.time", "21:15", SAME),
    ("medications.0.time", None, SAME),
    *[("medications.0.relief", word, SAME) for word in ("none", "partial", "pain_free", None)],
    ("soreness", 0, SAME),
    ("soreness", 10, SAME),
    ("soreness", None, SAME),
    ("soreness", MISSING, None),
    ("exercises_done", True, SAME),
    ("exercises_done", False, SAME),
    ("exercises_done", None, SAME),
    ("triggers", [f"trigger_{n}" for n in range(20)], SAME),
    ("triggers", ["x" * 40], SAME),
    ("triggers", ["stress", "stress"], ["stress"]),
    ("triggers", [], SAME),
    ("notes", "n" * 2000, SAME),
    ("notes", None, SAME),
    ("notes", "", None),
    ("red_flags", ["sudden_severe", "needle_site_infection"], SAME),
    ("red_flags", ["getting_worse", "getting_worse"], ["getting_worse"]),
    ("red_flags", [], SAME),
    ("date", DAY, SAME),
]

# (field path, bad value sent, the field path the errors name)
BAD = [
    ("headaches.0.intensity", 0, "headaches.0.intensity"),
    ("headaches.0.intensity", 11, "headaches.0.intensity"),
    ("headaches.0.intensity", -1, "headaches.0.intensity"),
    ("headaches.0.intensity", "6", "headaches.0.intensity"),
    ("headaches.0.intensity", 6.5, "headaches.0.intensity"),
    ("headaches.0.intensity", True, "headaches.0.intensity"),
    ("headaches.0.intensity", None, "headaches.0.intensity"),
    ("headaches.0.intensity", MISSING, "headaches.0.intensity"),
    ("headaches.0.type", "Tension", "headaches.0.type"),
    ("headaches.0.type", "hangover", "headaches.0.type"),
    ("headaches.0.type", None, "headaches.0.type"),
    ("headaches.0.side", "middle", "headaches.0.side"),
    ("headaches.0.side", "", "headaches.0.side"),
    ("headaches.0.locations", ["nowhere"], "headaches.0.locations"),
    ("headaches.0.locations", "neck", "headaches.0.locations"),
    ("headaches.0.locations", [1], "headaches.0.locations"),
    ("headaches.0.symptoms", ["dizziness"], "headaches.0.symptoms"),
    ("headaches.0.symptoms", ["Nausea"], "headaches.0.symptoms"),
    ("headaches.0.duration_minutes", 0, "headaches.0.duration_minutes"),
    ("headaches.0.duration_minutes", 4321, "headaches.0.duration_minutes"),
    ("headaches.0.duration_minutes", "60", "headaches.0.duration_minutes"),
    ("headaches.0.duration_minutes", 90.5, "headaches.0.duration_minutes"),
    ("headaches.0.start", "25:00", "headaches.0.start"),
    ("headaches.0.start", "24:00", "headaches.0.start"),
    ("headaches.0.start", "08:60", "headaches.0.start"),
    ("headaches.0.start", "08:30:00", "headaches.0.start"),
    ("headaches.0.start", "8.30", "headaches.0.start"),
    ("headaches.0.start", 830, "headaches.0.start"),
    ("headaches.0.neck_provoked", "yes", "headaches.0.neck_provoked"),
    ("headaches.0.neck_provoked", 1, "headaches.0.neck_provoked"),
    ("headaches.0.aura_minutes", 20, "headaches.0.aura_minutes"),
    ("headaches.0", "bad", "headaches.0"),
    ("headaches", [headache() for _ in range(13)], "headaches"),
    ("headaches", {"0": headache()}, "headaches"),
    ("headaches", None, "headaches"),
    ("medications", [medication() for _ in range(21)], "medications"),
    ("medications.0.name", "", "medications.0.name"),
    ("medications.0.name", "   ", "medications.0.name"),
    ("medications.0.name", "x" * 81, "medications.0.name"),
    ("medications.0.name", MISSING, "medications.0.name"),
    ("medications.0.name", 400, "medications.0.name"),
    ("medications.0.drug_class", "painkiller", "medications.0.drug_class"),
    ("medications.0.drug_class", "Triptan", "medications.0.drug_class"),
    ("medications.0.drug_class", MISSING, "medications.0.drug_class"),
    ("medications.0.doses", 0, "medications.0.doses"),
    ("medications.0.doses", 21, "medications.0.doses"),
    ("medications.0.doses", "2", "medications.0.doses"),
    ("medications.0.doses", 1.5, "medications.0.doses"),
    ("medications.0.doses", None, "medications.0.doses"),
    ("medications.0.time", "9am", "medications.0.time"),
    ("medications.0.time", "25:00", "medications.0.time"),
    ("medications.0.relief", "some", "medications.0.relief"),
    ("medications.0.dose_mg", 400, "medications.0.dose_mg"),
    ("soreness", -1, "soreness"),
    ("soreness", 11, "soreness"),
    ("soreness", "3", "soreness"),
    ("soreness", 2.5, "soreness"),
    ("soreness", True, "soreness"),
    ("exercises_done", "yes", "exercises_done"),
    ("exercises_done", 1, "exercises_done"),
    ("exercises_done", "true", "exercises_done"),
    ("triggers", [f"trigger_{n}" for n in range(21)], "triggers"),
    ("triggers", ["x" * 41], "triggers"),
    ("triggers", [""], "triggers"),
    ("triggers", ["   "], "triggers"),
    ("triggers", [5], "triggers"),
    ("triggers", "stress", "triggers"),
    ("red_flags", ["feeling_poorly"], "red_flags"),
    ("red_flags", ["Sudden_Severe"], "red_flags"),
    ("red_flags", "sudden_severe", "red_flags"),
    ("red_flags", None, "red_flags"),
    ("notes", "n" * 2001, "notes"),
    ("notes", 12, "notes"),
    ("notes", "before\x00after", "notes"),  # PostgreSQL cannot store U+0000
    ("notes", "lone \ud800 surrogate", "notes"),  # not encodable as UTF-8
    ("triggers", ["stress\x00"], "triggers"),
    ("medications.0.name", "Ibuprofen\x00", "medications.0.name"),
    ("headaches.0.type", "tension\x00", "headaches.0.type"),
    ("mood", "fine", "mood"),
    ("date", OTHER_DAY, "date"),
    ("date", "2026-13-01", "date"),
    ("date", "20/11/2026", "date"),
]


def _case_id(case) -> str:
    path, value = case[0], case[1]
    shown = "missing" if value is MISSING else repr(value)
    return f"{path}={shown[:24]}"


@pytest.mark.parametrize(("path", "value", "stored"), GOOD, ids=[_case_id(c) for c in GOOD])
def test_a_good_value_is_stored_and_read_back(logged_in, path, value, stored):
    response = logged_in.put(URL.format(DAY), json=body_with(path, value))
    assert response.status_code == 201, response.get_json()
    read = logged_in.get(URL.format(DAY))
    assert read.status_code == 200
    if stored is AS_MANY:
        assert len(value_at(read.get_json(), path)) == len(value)
    else:
        assert value_at(read.get_json(), path) == (value if stored is SAME else stored)


def test_doses_default_to_one(logged_in):
    body = day_body(medications=[{"name": "Sumatriptan 50 mg", "drug_class": "triptan"}])
    assert logged_in.put(URL.format(DAY), json=body).status_code == 201
    assert logged_in.get(URL.format(DAY)).get_json()["medications"][0]["doses"] == 1


@pytest.mark.parametrize(("path", "value", "error_path"), BAD, ids=[_case_id(c) for c in BAD])
def test_a_bad_value_is_a_422_naming_the_field_and_stores_nothing(logged_in, path, value, error_path):
    # A new day stays missing...
    body = assert_problem(logged_in.put(URL.format(DAY), json=body_with(path, value)), 422)
    assert any(key == error_path or key.startswith(error_path + ".") for key in body["errors"]), body[
        "errors"
    ]
    assert all(
        isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages)
        for messages in body["errors"].values()
    )
    assert logged_in.get(URL.format(DAY)).status_code == 404

    # ...and a stored day keeps its content and its version.
    stored = logged_in.put(URL.format(OTHER_DAY), json=day_body())
    assert stored.status_code == 201
    bad = body_with(path, value)
    if path == "date" and value == OTHER_DAY:
        bad["date"] = DAY  # still differing from the address
    assert_problem(logged_in.put(URL.format(OTHER_DAY), json=bad), 422)
    after = logged_in.get(URL.format(OTHER_DAY))
    assert after.get_json() == stored.get_json()
    assert after.headers["ETag"] == stored.headers["ETag"]


@pytest.mark.parametrize(
    "body",
    [[], [day_body()], "a day", 42, True, None],
    ids=["empty-list", "list", "string", "number", "boolean", "null"],
)
def test_a_body_that_is_not_an_object_is_a_422(logged_in, body):
    response = logged_in.put(URL.format(DAY), data=json.dumps(body), content_type="application/json")
    problem = assert_problem(response, 422)
    assert "_schema" in problem["errors"]
    assert logged_in.get(URL.format(DAY)).status_code == 404


def test_every_broken_rule_is_reported_at_once(logged_in):
    body = day_body(soreness=11, notes="n" * 2001)
    body["headaches"][0]["intensity"] = 0
    body["medications"][0]["doses"] = 0
    problem = assert_problem(logged_in.put(URL.format(DAY), json=body), 422)
    assert set(problem["errors"]) == {"soreness", "notes", "headaches.0.intensity", "medications.0.doses"}


def test_errors_name_the_index_of_the_broken_item(logged_in):
    body = day_body(headaches=[headache(), headache(), headache(intensity=0)])
    problem = assert_problem(logged_in.put(URL.format(DAY), json=body), 422)
    assert list(problem["errors"]) == ["headaches.2.intensity"]


def test_a_day_read_back_can_be_sent_again_unchanged(logged_in):
    first = logged_in.put(URL.format(DAY), json=day_body())
    again = logged_in.put(URL.format(DAY), json=first.get_json())
    assert again.status_code == 200, again.get_json()
    assert again.get_json() == first.get_json()


# -- The headache question (docs/api.md, docs/clinical-rules.md section 1) ---------------------------------

# (had_headache sent, headaches sent, stored had_headache or the 422 message on `had_headache`)
ANSWERS = [
    (True, [headache()], True),
    (True, [], "You said you had a headache: add it, with how bad it was from 1 to 10."),
    (False, [], False),
    (False, [headache()], "You said you had no headache, but a headache is logged: remove it or answer Yes."),
    (None, [], None),
    (
        None,
        [headache()],
        "A headache is logged, so the headache question is answered: send true, or leave it out.",
    ),
    (MISSING, [headache()], True),
    (MISSING, [], None),
]


@pytest.mark.parametrize(
    ("had_headache", "headaches", "outcome"),
    ANSWERS,
    ids=[f"{'missing' if a is MISSING else a}-{len(h)}" for a, h, _ in ANSWERS],
)
def test_the_headache_answer_agrees_with_the_headaches(logged_in, had_headache, headaches, outcome):
    body = day_body(headaches=headaches)
    if had_headache is not MISSING:
        body["had_headache"] = had_headache
    response = logged_in.put(URL.format(DAY), json=body)
    if isinstance(outcome, str):
        problem = assert_problem(response, 422)
        assert problem["errors"] == {"had_headache": [outcome]}
        assert logged_in.get(URL.format(DAY)).status_code == 404
    else:
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["had_headache"] is outcome
        assert logged_in.get(URL.format(DAY)).get_json()["had_headache"] is outcome


@pytest.mark.parametrize("value", ["yes", 1, 0, "true", []])
def test_the_headache_answer_is_true_false_or_null_only(logged_in, value):
    problem = assert_problem(logged_in.put(URL.format(DAY), json=day_body(had_headache=value)), 422)
    assert problem["errors"] == {"had_headache": ["Give true or false."]}


def test_answering_the_headache_question_is_a_change_and_sending_it_again_is_not(logged_in):
    quiet = {"soreness": 2}
    first = logged_in.put(URL.format(DAY), json=quiet)
    assert first.get_json()["had_headache"] is None and first.get_json()["version"] == 1
    answered = logged_in.put(URL.format(DAY), json={**quiet, "had_headache": False})
    assert answered.status_code == 200 and answered.get_json()["version"] == 2
    again = logged_in.put(URL.format(DAY), json={**quiet, "had_headache": False}, headers={"If-Match": '"1"'})
    assert (
        again.status_code == 200 and again.get_json()["version"] == 2
    )  # a repeat, even under a stale If-Match
    opened = logged_in.put(URL.format(DAY), json=quiet)
    assert opened.get_json()["had_headache"] is None and opened.get_json()["version"] == 3
