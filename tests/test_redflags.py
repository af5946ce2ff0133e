"""Red flags (diary/redflags.py): the table is sound and documented, and days carry its codes."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from diary import redflags

from . import clock
from .factories import day_body

DOC = Path(__file__).resolve().parent.parent / "docs" / "red-flags.md"
URL = "/api/v1/patients/me/days/{}"


def test_codes_are_unique_snake_case_words():
    codes = [flag.code for flag in redflags.FLAGS]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]{2,40}", code) for code in codes)


@pytest.mark.parametrize("flag", redflags.FLAGS, ids=lambda f: f.code)
def test_every_flag_has_a_level_words_and_advice_that_starts_with_what_to_do(flag):
    assert flag.level in redflags.LEVELS
    assert flag.applies_to in redflags.APPLIES_TO
    assert flag.words.strip() and not flag.words.endswith(".")
    assert flag.advice.startswith({"999": redflags.CALL_999, "111": redflags.CALL_111}[flag.level])


def test_both_kinds_of_flag_have_a_few_of_each_level():
    assert 6 <= len(redflags.HEADACHE) <= 8 and 3 <= len(redflags.NEEDLING) <= 5
    for group in (redflags.HEADACHE, redflags.NEEDLING):
        assert {flag.level for flag in group} == {"999", "111"}
    # The pneumothorax warning: breathlessness since needling is a 999 call.
    assert redflags.get("breathless_after_needling").level == "999"


def test_the_words_never_name_a_diagnosis():
    """The flags say what to do, never what it might be."""
    diagnoses = (
        "pneumothorax",
        "stroke",
        "meningitis",
        "haemorrhage",
        "arteritis",
        "tumour",
        "infection",
        "glaucoma",
        "sepsis",
    )
    for flag in redflags.FLAGS:
        text = f"{flag.words} {flag.advice}".lower()
        assert not [word for word in diagnoses if word in text], flag.code


def test_docs_red_flags_names_every_code_and_its_sources():
    text = DOC.read_text()
    for flag in redflags.FLAGS:
        assert f"`{flag.code}`" in text, flag.code
    for source in ("CG150", "Brady", "Boyce", "111.nhs.uk"):
        assert source in text


# -- Over HTTP ------------------------------------------------------------------------------------


def test_the_list_gives_every_flag_with_its_level_words_and_advice(logged_in):
    response = logged_in.get("/api/v1/red-flags")
    assert response.status_code == 200
    assert response.get_json() == {
        "red_flags": [
            {
                "code": f.code,
                "level": f.level,
                "applies_to": f.applies_to,
                "words": f.words,
                "advice": f.advice,
            }
            for f in redflags.FLAGS
        ]
    }


def test_a_therapist_reads_the_list_too_and_a_stranger_does_not(as_user, therapist, api):
    assert as_user(therapist).get("/api/v1/red-flags").status_code == 200
    assert api.get("/api/v1/red-flags").status_code == 401


def test_a_day_keeps_its_red_flags_and_reads_them_back(logged_in):
    day = (clock.today("Europe/London") - timedelta(days=1)).isoformat()
    body = day_body(red_flags=["breathless_after_needling", "sudden_severe"])
    put = logged_in.put(URL.format(day), json=body)
    assert put.status_code == 201
    assert put.get_json()["red_flags"] == ["breathless_after_needling", "sudden_severe"]
    assert logged_in.get(URL.format(day)).get_json()["red_flags"] == [
        "breathless_after_needling",
        "sudden_severe",
    ]
    # The flags are content: taking one away is a change, sending the same again is not.
    again = logged_in.put(URL.format(day), json=body)
    assert again.get_json()["version"] == put.get_json()["version"]
    fewer = logged_in.put(URL.format(day), json={**body, "red_flags": ["sudden_severe"]})
    assert fewer.get_json()["version"] == put.get_json()["version"] + 1


def test_an_unknown_code_is_a_422_in_plain_words_and_stores_nothing(logged_in):
    day = (clock.today("Europe/London") - timedelta(days=1)).isoformat()
    response = logged_in.put(URL.format(day), json=day_body(red_flags=["sudden_severe", "feeling_odd"]))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"red_flags.1": ["Choose a warning sign from the list."]}
    assert logged_in.get(URL.format(day)).status_code == 404


def test_a_day_without_red_flags_reads_back_an_empty_list(logged_in):
    day = (clock.today("Europe/London") - timedelta(days=1)).isoformat()
    assert logged_in.put(URL.format(day), json=day_body()).get_json()["red_flags"] == []
