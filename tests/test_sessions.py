"""Treatment sessions: a linked therapist records them; only the author corrects or deletes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from . import clock
from .factories import link, session_body


@pytest.fixture
def linked_therapist(patient, therapist):
    link(patient, therapist)
    return therapist


def sessions_url(patient) -> str:
    return f"/api/v1/patients/{patient.id}/sessions"


def yesterday(patient) -> str:
    return (clock.today(patient) - timedelta(days=1)).isoformat()


def test_linked_therapist_records_a_session_the_patient_then_sees(patient, linked_therapist, as_user):
    therapist = as_user(linked_therapist)
    body = session_body(date=yesterday(patient), next_review_on=None)
    response = therapist.post(sessions_url(patient), json=body)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["techniques"] == ["dry_needling", "soft_tissue_work"]
    assert created["muscles"] == body["muscles"]
    assert created["therapist"] == {"display_name": linked_therapist.display_name}
    seen = as_user(patient).get("/api/v1/patients/me/sessions").get_json()["sessions"]
    assert [s["id"] for s in seen] == [created["id"]]


def test_sessions_are_listed_by_date(patient, linked_therapist, as_user):
    therapist = as_user(linked_therapist)
    today = clock.today(patient)
    for days_ago in (3, 10, 1):
        day = (today - timedelta(days=days_ago)).isoformat()
        therapist.post(sessions_url(patient), json=session_body(date=day, next_review_on=None))
    dates = [s["date"] for s in therapist.get(sessions_url(patient)).get_json()["sessions"]]
    assert dates == sorted(dates) and len(dates) == 3


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("techniques", []),
        ("techniques", ["acupuncture"]),
        ("muscles", [{"muscle": "biceps", "side": "left"}]),
        ("muscles", [{"muscle": "upper_trapezius", "side": "middle"}]),
        ("muscles", [{"muscle": "upper_trapezius"}]),
        ("notes", "x" * 2001),
        ("date", "2026-02-30"),
        ("date", None),
        ("next_review_on", "soon"),
    ],
)
def test_invalid_session_is_refused_and_nothing_is_stored(patient, linked_therapist, as_user, field, value):
    therapist = as_user(linked_therapist)
    body = session_body(date=yesterday(patient), next_review_on=None)
    body[field] = value
    response = therapist.post(sessions_url(patient), json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert any(key.split(".")[0] == field for key in response.get_json()["errors"])
    assert therapist.get(sessions_url(patient)).get_json()["sessions"] == []


def test_an_other_muscle_is_stored_with_its_name(patient, linked_therapist, as_user):
    body = session_body(
        date=yesterday(patient),
        next_review_on=None,
        muscles=[
            {"muscle": "other", "side": "left", "name": "  Rhomboids "},
            {"muscle": "masseter", "side": "both"},
        ],
    )
    created = as_user(linked_therapist).post(sessions_url(patient), json=body)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["muscles"] == [
        {"muscle": "other", "side": "left", "name": "Rhomboids"},
        {"muscle": "masseter", "side": "both"},
    ]


@pytest.mark.parametrize(
    ("muscle", "message"),
    [
        ({"muscle": "other", "side": "left"}, "Give the name of the other muscle."),
        ({"muscle": "other", "side": "left", "name": " "}, "Give the name of the other muscle."),
        ({"muscle": "other", "side": "left", "name": "x" * 61}, "Name the muscle in at most 60 characters."),
        ({"muscle": "masseter", "side": "left", "name": "Jaw"}, 'Only the "Other" muscle takes a name.'),
    ],
)
def test_only_an_other_muscle_is_named_and_it_must_be(patient, linked_therapist, as_user, muscle, message):
    therapist = as_user(linked_therapist)
    body = session_body(date=yesterday(patient), next_review_on=None, muscles=[muscle])
    response = therapist.post(sessions_url(patient), json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"muscles.0.name": [message]}
    assert therapist.get(sessions_url(patient)).get_json()["sessions"] == []


def test_session_dates_follow_the_patients_calendar(patient, linked_therapist, as_user):
    therapist = as_user(linked_therapist)
    today = clock.today(patient)
    future = therapist.post(
        sessions_url(patient),
        json=session_body(date=(today + timedelta(days=1)).isoformat(), next_review_on=None),
    )
    assert future.status_code == 422 and "date" in future.get_json()["errors"]
    review_before = therapist.post(
        sessions_url(patient),
        json=session_body(date=today.isoformat(), next_review_on=(today - timedelta(days=1)).isoformat()),
    )
    assert review_before.status_code == 422 and "next_review_on" in review_before.get_json()["errors"]
    ok = therapist.post(
        sessions_url(patient),
        json=session_body(date=today.isoformat(), next_review_on=(today + timedelta(days=14)).isoformat()),
    )
    assert ok.status_code == 201


def test_only_the_author_corrects_or_deletes_a_session(patient, linked_therapist, users, as_user):
    colleague = users.therapist()
    link(patient, colleague)
    author = as_user(linked_therapist)
    sid = author.post(
        sessions_url(patient), json=session_body(date=yesterday(patient), next_review_on=None)
    ).get_json()["id"]
    url = f"{sessions_url(patient)}/{sid}"
    other = as_user(colleague)
    assert other.patch(url, json={"notes": "mine now"}).status_code == 403
    assert other.delete(url).status_code == 403
    mine = as_user(patient).patch(f"/api/v1/patients/me/sessions/{sid}", json={"notes": "x"})
    assert mine.status_code == 403
    corrected = author.patch(url, json={"notes": "Corrected", "techniques": ["education"]})
    assert corrected.status_code == 200, corrected.get_json()
    assert corrected.get_json()["notes"] == "Corrected"
    assert corrected.get_json()["techniques"] == ["education"]
    assert corrected.get_json()["muscles"] == session_body()["muscles"]
    assert author.delete(url).status_code == 204
    assert author.get(sessions_url(patient)).get_json()["sessions"] == []


def test_an_invalid_correction_changes_nothing(patient, linked_therapist, as_user):
    author = as_user(linked_therapist)
    created = author.post(
        sessions_url(patient), json=session_body(date=yesterday(patient), next_review_on=None)
    ).get_json()
    url = f"{sessions_url(patient)}/{created['id']}"
    assert author.patch(url, json={"techniques": ["reiki"]}).status_code == 422
    future = (clock.today(patient) + timedelta(days=3)).isoformat()
    assert author.patch(url, json={"date": future}).status_code == 422
    assert author.get(sessions_url(patient)).get_json()["sessions"][0]["techniques"] == created["techniques"]


def test_a_therapist_without_a_link_cannot_record_sessions(patient, users, as_user):
    stranger = as_user(users.therapist())
    response = stranger.post(sessions_url(patient), json=session_body(date=yesterday(patient)))
    assert response.status_code == 404
    assert as_user(patient).get("/api/v1/patients/me/sessions").get_json()["sessions"] == []


def test_a_patient_cannot_record_their_own_sessions(patient, as_user):
    response = as_user(patient).post(
        "/api/v1/patients/me/sessions", json=session_body(date=yesterday(patient))
    )
    assert response.status_code == 403


# -- Access is decided before the body is read (issue 10, finding 2) ---------------------------

HALF_A_MUSCLE = {"muscles": [{"muscle": "other"}]}


def test_a_correction_with_half_a_muscle_is_refused_with_a_message(patient, linked_therapist, as_user):
    author = as_user(linked_therapist)
    sid = author.post(
        sessions_url(patient), json=session_body(date=yesterday(patient), next_review_on=None)
    ).get_json()["id"]
    response = author.patch(f"{sessions_url(patient)}/{sid}", json=HALF_A_MUSCLE)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["errors"] == {"muscles.0.side": ["Missing data for required field."]}
    assert author.get(sessions_url(patient)).get_json()["sessions"][0]["muscles"] == session_body()["muscles"]


def test_a_malformed_correction_from_an_unlinked_therapist_is_a_logged_404(
    patient, linked_therapist, users, as_user
):
    from diary.extensions import db
    from diary.models import AccessEvent

    sid = (
        as_user(linked_therapist)
        .post(sessions_url(patient), json=session_body(date=yesterday(patient), next_review_on=None))
        .get_json()["id"]
    )
    stranger = users.therapist()
    response = as_user(stranger).patch(f"{sessions_url(patient)}/{sid}", json=HALF_A_MUSCLE)
    assert response.status_code == 404
    refused = db.session.scalars(
        db.select(AccessEvent).where(
            AccessEvent.patient_id == patient.id, AccessEvent.actor_id == stranger.id
        )
    ).all()
    assert [(e.action, e.allowed) for e in refused] == [("update", False)]
