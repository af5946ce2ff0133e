"""Red flags, the therapist's side (issue 16): a warning sign reported in the last 7 days puts the
patient first on the triage list with what was reported and when; the patient page shows it above
the summary; the therapist acknowledges it, and reads and acknowledgements are in the access log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from diary import redflags
from diary.extensions import db

from . import clock
from .factories import link, make_day
from .test_web_diary import csrf_token
from .test_web_sharing import browser, events, text_of

PAINKILLER = {"name": "Ibuprofen 400 mg", "drug_class": "non_opioid_analgesic"}


def flag_day(patient, day, *codes):
    record = make_day(patient, day)
    record.red_flags = list(codes)
    db.session.commit()
    return record


@pytest.fixture
def desk(app, therapist):
    return browser(app, therapist)


def overusing(users, therapist, name="Olive Overuse"):
    """A patient with painkillers on 16 of the last 30 days: overuse, normally first on the list."""
    patient = users.patient(name=name)
    link(patient, therapist)
    today = clock.today(patient)
    for n in range(16):
        make_day(patient, today - timedelta(days=n), headaches=[{"intensity": 6}], medications=[PAINKILLER])
    return patient


def test_a_red_flag_of_the_last_7_days_puts_the_patient_first_with_what_and_when(users, therapist, as_user):
    overuse = overusing(users, therapist)
    flagged = users.patient(name="Fred Flagged")
    link(flagged, therapist)
    today = clock.today(flagged)
    flag_day(flagged, today - timedelta(days=1), "needle_site_infection", "breathless_after_needling")

    rows = as_user(therapist).get("/api/v1/patients").json["patients"]

    assert [row["display_name"] for row in rows] == ["Fred Flagged", "Olive Overuse"]
    assert rows[0]["red_flag_on"] == (today - timedelta(days=1)).isoformat()
    assert rows[0]["red_flags"] == ["breathless_after_needling", "needle_site_infection"]  # 999 first
    assert rows[1]["red_flag_on"] is None and rows[1]["red_flags"] == []
    assert overuse.id  # still listed, after the flag


@pytest.mark.parametrize(("days_ago", "first"), [(6, True), (7, False)])
def test_only_the_last_7_days_count(users, therapist, as_user, days_ago, first):
    overusing(users, therapist)
    flagged = users.patient(name="Fred Flagged")
    link(flagged, therapist)
    flag_day(flagged, clock.today(flagged) - timedelta(days=days_ago), "getting_worse")

    rows = as_user(therapist).get("/api/v1/patients").json["patients"]

    assert (rows[0]["display_name"] == "Fred Flagged") is first


def test_the_triage_page_says_what_was_reported(users, therapist, desk):
    flagged = users.patient(name="Fred Flagged")
    link(flagged, therapist)
    flag_day(flagged, clock.today(flagged), "sudden_severe")

    page = text_of(desk.get("/therapist").text)

    assert "Red flag today 999: " + redflags.BY_CODE["sudden_severe"].words in page


def test_the_patient_page_shows_the_flags_above_the_summary_and_records_the_acknowledgement(
    app, users, therapist, desk
):
    flagged = users.patient(name="Fred Flagged")
    link(flagged, therapist)
    day = clock.today(flagged) - timedelta(days=2)
    flag_day(flagged, day, "arm_symptoms_after_needling")
    path = f"/therapist/patients/{flagged.id}"

    page = desk.get(path).text

    assert page.index("Warning signs reported in the last 7 days") < page.index("Since the last session")
    assert redflags.BY_CODE["arm_symptoms_after_needling"].words in text_of(page)
    assert "I have seen this" in page
    response = desk.post(
        f"{path}/red-flags/{day.isoformat()}/acknowledge", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 302
    acknowledged = [e for e in events(flagged) if e.action == "acknowledge"]
    assert [(e.what, e.allowed, e.actor_id) for e in acknowledged] == [
        (f"red flags of {day.isoformat()}", True, therapist.id)
    ]
    after = text_of(desk.get(path).text)
    assert f"Seen by {therapist.display_name}" in after and "I have seen this" not in after
    assert any(e.action == "read" for e in events(flagged))  # the read of the page itself
    # The patient reads it in their own words.
    log = text_of(browser(app, flagged).get("/sharing/access-log").text)
    assert f"{therapist.display_name} saw your warning signs of {day.strftime('%a %-d %b %Y')}" in log


def test_another_patient_and_an_unlinked_therapist_get_404_on_the_acknowledgement(
    app, users, therapist, patient
):
    link(patient, therapist)
    day = clock.today(patient)
    flag_day(patient, day, "sudden_severe")
    path = f"/therapist/patients/{patient.id}/red-flags/{day.isoformat()}/acknowledge"
    for outsider in (users.patient(), users.therapist()):
        client = browser(app, outsider)
        token = csrf_token(client.get("/account").text)
        assert client.post(path, data={"csrf_token": token}).status_code == 404
    assert [e.action for e in events(patient) if e.action == "acknowledge" and e.allowed] == []
    refused = [e for e in events(patient) if e.action == "acknowledge" and not e.allowed]
    assert len(refused) == 1  # the unlinked therapist's attempt, logged
