"""Red flags on the patient's pages (docs/red-flags.md), as a browser without JavaScript uses them:
the link on Today, the list, each sign's advice, adding it to today, and when the day form asks."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from diary import redflags
from diary.extensions import db
from diary.models import DayRecord, TreatmentSession

from . import clock
from .factories import make_day
from .test_web_diary import csrf_token, fill, form_fields, log_in, stored

NEEDLING_TITLE = "Since your treatment, have you had any of these?"


@pytest.fixture
def patient_client(client, patient):
    log_in(client, patient)
    return client


@pytest.fixture
def today(patient) -> date:
    return clock.today(patient)


def add_session(patient, on: date, techniques=("dry_needling",)) -> TreatmentSession:
    session = TreatmentSession(
        patient_id=patient.id,
        date=on,
        techniques=list(techniques),
        muscles=[{"muscle": "upper_trapezius", "side": "both"}],
    )
    db.session.add(session)
    db.session.commit()
    return session


def needling_card(html: str) -> str | None:
    """The needling question's card when shown (None when absent or hidden)."""
    m = re.search(r'<section class="card red-flags needling-flags"[^>]*>', html)
    return (
        None
        if m is None or " hidden" in m.group(0)
        else html[m.start() : html.index("</section>", m.start())]
    )


def add(client, code: str):
    token = csrf_token(client.get(f"/red-flags/{code}").text)
    return client.post(f"/red-flags/{code}/add", data={"csrf_token": token})


# -- Today's link, the list and the advice ---------------------------------------------------------


def test_today_links_to_advice_in_two_taps(patient_client):
    page = patient_client.get("/today").text
    assert re.search(r'<a href="/red-flags">Something worrying\? Get advice</a>', page)
    listing = patient_client.get("/red-flags").text
    for flag in redflags.FLAGS:
        assert f'href="/red-flags/{flag.code}"' in listing
        assert flag.words.replace("'", "&#39;") in listing


@pytest.mark.parametrize("flag", redflags.FLAGS, ids=lambda f: f.code)
def test_each_advice_page_says_what_to_do_with_the_right_calls(client, flag):
    page = client.get(f"/red-flags/{flag.code}").text
    assert flag.advice.replace("'", "&#39;") in page
    if flag.level == "999":
        assert '<h1 id="advice-title">Call 999 now</h1>' in page and 'class="advice-box advice-999"' in page
        assert 'href="tel:999"' in page and 'href="tel:111"' not in page
    else:
        assert "Contact NHS 111 or your GP today" in page
        assert 'href="tel:111"' in page and 'href="https://111.nhs.uk/"' in page


def test_an_unknown_sign_is_404(client):
    assert client.get("/red-flags/feeling_odd").status_code == 404


# -- Adding a sign to today ---------------------------------------------------------------------


def test_adding_a_sign_keeps_the_day_and_leaves_the_headache_question_open(patient, patient_client, today):
    make_day(
        patient,
        today,
        soreness=4,
        had_headache=None,
        medications=[{"name": "Paracetamol 500 mg", "drug_class": "non_opioid_analgesic"}],
    )
    response = add(patient_client, "needle_site_infection")
    assert response.status_code == 302 and response.headers["Location"] == "/red-flags/needle_site_infection"
    day = stored(patient_client, today)
    assert day["red_flags"] == ["needle_site_infection"]
    assert day["had_headache"] is None and day["soreness"] == 4 and len(day["medications"]) == 1
    assert "Added to today" in patient_client.get("/red-flags/needle_site_infection").text
    add(patient_client, "needle_site_infection")  # twice is once
    add(patient_client, "sudden_severe")
    assert stored(patient_client, today)["red_flags"] == ["needle_site_infection", "sudden_severe"]


def test_adding_a_sign_to_a_day_with_a_headache_keeps_it(patient, patient_client, today):
    make_day(patient, today, headaches=[{"intensity": 8}])
    add(patient_client, "getting_worse")
    day = stored(patient_client, today)
    assert day["had_headache"] is True and day["headaches"][0]["intensity"] == 8
    assert day["red_flags"] == ["getting_worse"]


def test_adding_a_sign_on_a_day_not_logged_makes_an_unanswered_day(patient_client, today):
    add(patient_client, "arm_symptoms_after_needling")
    day = stored(patient_client, today)
    assert day["had_headache"] is None and day["red_flags"] == ["arm_symptoms_after_needling"]


def test_adding_an_unknown_sign_is_404_and_changes_nothing(patient_client, today):
    token = csrf_token(patient_client.get("/today").text)
    assert patient_client.post("/red-flags/feeling_odd/add", data={"csrf_token": token}).status_code == 404
    assert stored(patient_client, today) is None


# -- The day form: signs as checkboxes, kept when saving ------------------------------------------


def test_the_form_saves_ticked_signs_and_keeps_them_on_the_next_save(patient_client, today):
    fields = form_fields(patient_client.get("/today").text)
    sent = fill(
        fields, headache_today="yes", headaches__0__intensity="8", red_flags=["sudden_severe", "vision_loss"]
    )
    assert patient_client.post(f"/days/{today}", data=sent).status_code == 302
    assert stored(patient_client, today)["red_flags"] == ["sudden_severe", "vision_loss"]
    again = form_fields(patient_client.get("/today").text)
    assert again.getlist("red_flags") == ["sudden_severe", "vision_loss"]
    assert patient_client.post(f"/days/{today}", data=fill(again, notes="later")).status_code == 302
    assert stored(patient_client, today)["red_flags"] == ["sudden_severe", "vision_loss"]


def test_a_sign_added_from_its_advice_page_is_ticked_in_the_form(patient_client, today):
    add(patient_client, "breathless_after_needling")
    page = patient_client.get("/today").text
    assert form_fields(page).getlist("red_flags") == ["breathless_after_needling"]
    assert needling_card(page) is not None  # shown: it holds a ticked sign


@pytest.mark.parametrize(
    ("headache", "opened"),
    [({"intensity": 6}, False), ({"intensity": 7}, True), ({"intensity": 3, "symptoms": ["sudden"]}, True)],
    ids=["6", "7", "sudden"],
)
def test_the_headache_signs_open_for_a_bad_or_sudden_headache(
    patient, patient_client, today, headache, opened
):
    make_day(patient, today, headaches=[headache])
    page = patient_client.get("/today").text
    tag = re.search(r"<details class=\"red-flags headache-flags\"[^>]*>", page).group(0)
    assert (" open" in tag) is opened


def test_the_headache_signs_open_on_a_page_sent_back_with_a_bad_headache(patient_client, today):
    fields = form_fields(patient_client.get("/today").text)
    sent = fill(fields, headache_today="yes", headaches__0__intensity="9", soreness="99")
    page = patient_client.post(f"/days/{today}", data=sent).text
    assert re.search(r"<details class=\"red-flags headache-flags\"[^>]*open", page)


def test_a_ticked_sign_has_its_advice_right_after_it(patient_client):
    """The advice shows by CSS (`:checked ~ .advice`), so it must follow its checkbox."""
    page = patient_client.get("/today").text
    for flag in redflags.FLAGS:
        m = re.search(
            rf'<input type="checkbox" id="red_flags-{flag.code}"[^>]*>\s*<label[^>]*>[^<]*</label>\s*'
            rf'<div class="advice advice-{flag.level}"',
            page,
        )
        assert m, flag.code


# -- The needling question: S+1..S+3 after dry needling, until answered ---------------------------


@pytest.mark.parametrize(("days_after", "asked"), [(0, False), (1, True), (2, True), (3, True), (4, False)])
def test_the_needling_question_is_asked_on_the_three_days_after_dry_needling(
    patient, patient_client, today, days_after, asked
):
    add_session(patient, today - timedelta(days=days_after))
    card = needling_card(patient_client.get("/today").text)
    assert (card is not None) is asked
    if asked:
        assert NEEDLING_TITLE in card and "None of these" in card
        for flag in redflags.NEEDLING:
            assert f'value="{flag.code}"' in card


def test_no_needling_question_after_a_session_without_needling(patient, patient_client, today):
    add_session(patient, today - timedelta(days=1), techniques=("soft_tissue_work", "education"))
    assert needling_card(patient_client.get("/today").text) is None


def test_no_needling_question_for_a_session_dated_after_today(patient, patient_client, today):
    add_session(patient, today + timedelta(days=1))
    assert needling_card(patient_client.get("/today").text) is None
    add_session(patient, today - timedelta(days=10))
    assert needling_card(patient_client.get(f"/days/{today - timedelta(days=8)}").text) is not None


def test_the_needling_question_stops_once_a_day_in_the_window_is_answered(patient, patient_client, today):
    add_session(patient, today - timedelta(days=2))
    yesterday = today - timedelta(days=1)
    fields = form_fields(patient_client.get(f"/days/{yesterday}").text)
    assert needling_card(patient_client.get(f"/days/{yesterday}").text) is not None
    # Saved with the question on the page, nothing ticked ("None of these"): answered.
    sent = fill(fields, headache_today="no", needling_none="1")
    assert patient_client.post(f"/days/{yesterday}", data=sent).status_code == 302
    assert stored(patient_client, yesterday)["red_flags"] == []
    assert needling_card(patient_client.get("/today").text) is None
    assert needling_card(patient_client.get(f"/days/{yesterday}").text) is None


def test_a_soreness_tap_alone_does_not_answer_the_needling_question(patient, patient_client, today):
    add_session(patient, today - timedelta(days=1))
    token = csrf_token(patient_client.get("/today").text)
    patient_client.post(
        f"/days/{today}/quick", data={"action": "soreness", "soreness": "3", "csrf_token": token}
    )
    assert needling_card(patient_client.get("/today").text) is not None


def test_a_record_saved_before_the_session_was_written_does_not_answer_it(patient, patient_client, today):
    make_day(patient, today, had_headache=False)
    db.session.execute(update(DayRecord).values(updated_at=clock.now() - timedelta(hours=1)))
    db.session.commit()
    add_session(patient, today - timedelta(days=1))  # written after the day was saved
    assert needling_card(patient_client.get("/today").text) is not None
