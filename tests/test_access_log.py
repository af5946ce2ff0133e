"""The access log: one event per therapist read or change, none for the patient's own reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from diary.extensions import db
from diary.models import AccessEvent

from . import clock
from .factories import day_body, link, make_day, session_body


def events(patient) -> list[AccessEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AccessEvent).where(AccessEvent.patient_id == patient.id).order_by(AccessEvent.id)
        )
    )


def test_each_therapist_read_writes_one_event(patient, therapist, as_user):
    link(patient, therapist)
    make_day(patient, clock.today(patient), headaches=[{"intensity": 7}], soreness=5)
    reader = as_user(therapist)
    reader.get(f"/api/v1/patients/{patient.id}/days")
    reader.get(f"/api/v1/patients/{patient.id}/days/{clock.today(patient).isoformat()}")
    reader.get(f"/api/v1/patients/{patient.id}/sessions")
    logged = events(patient)
    assert len(logged) == 3
    assert {(e.actor_id, e.action, e.allowed) for e in logged} == {(therapist.id, "read", True)}


def test_the_patients_own_reads_write_no_event(patient, as_user):
    me = as_user(patient)
    me.put(f"/api/v1/patients/me/days/{clock.today(patient).isoformat()}", json=day_body())
    me.get("/api/v1/patients/me/days")
    me.get(f"/api/v1/patients/{patient.id}/days/{clock.today(patient).isoformat()}")
    me.get("/api/v1/patients/me/sessions")
    assert events(patient) == []


def test_refused_reads_of_a_real_patient_are_logged_as_refused(patient, users, as_user):
    stranger = users.therapist()
    response = as_user(stranger).get(f"/api/v1/patients/{patient.id}/days")
    assert response.status_code == 404
    [event] = events(patient)
    assert (event.actor_id, event.action, event.allowed) == (stranger.id, "read", False)


def test_session_changes_are_logged_with_the_change(patient, therapist, as_user):
    link(patient, therapist)
    author = as_user(therapist)
    day = (clock.today(patient) - timedelta(days=1)).isoformat()
    sid = author.post(
        f"/api/v1/patients/{patient.id}/sessions", json=session_body(date=day, next_review_on=None)
    ).get_json()["id"]
    author.patch(f"/api/v1/patients/{patient.id}/sessions/{sid}", json={"notes": "x"})
    author.delete(f"/api/v1/patients/{patient.id}/sessions/{sid}")
    assert [e.action for e in events(patient)] == ["create", "update", "delete"]


def test_a_refused_change_leaves_no_allowed_event(patient, therapist, as_user):
    link(patient, therapist)
    author = as_user(therapist)
    response = author.post(
        f"/api/v1/patients/{patient.id}/sessions", json=session_body(date="2026-11-20", techniques=["reiki"])
    )
    assert response.status_code == 422
    assert events(patient) == []


def test_events_hold_no_health_values(patient, therapist, as_user):
    link(patient, therapist)
    make_day(
        patient,
        clock.today(patient),
        headaches=[{"intensity": 9}],
        medications=[{"name": "Sumatriptan 50 mg", "drug_class": "triptan"}],
    )
    reader = as_user(therapist)
    reader.get(f"/api/v1/patients/{patient.id}/days/{clock.today(patient).isoformat()}")
    text = " ".join(f"{e.action} {e.what}" for e in events(patient))
    for health_value in ("Sumatriptan", "triptan", "9", "intensity"):
        assert health_value not in text.replace(clock.today(patient).isoformat(), "")


def test_the_patient_reads_their_log_newest_first(patient, therapist, as_user):
    link(patient, therapist)
    reader = as_user(therapist)
    reader.get(f"/api/v1/patients/{patient.id}/days")
    reader.get(f"/api/v1/patients/{patient.id}/sessions")
    log = as_user(patient).get("/api/v1/patients/me/access-log").get_json()["events"]
    assert [e["what"] for e in log] == ["treatment sessions", "diary days"]
    assert log[0]["actor"] == {"display_name": therapist.display_name, "email": therapist.email}
    assert log[0]["allowed"] is True and log[0]["at"]


def test_no_one_else_reads_the_log(patient, therapist, users, as_user):
    link(patient, therapist)
    as_user(therapist).get(f"/api/v1/patients/{patient.id}/days")
    other = as_user(users.patient()).get("/api/v1/patients/me/access-log").get_json()["events"]
    assert other == []
    assert as_user(therapist).get("/api/v1/patients/me/access-log").status_code == 403
    count = db.session.scalar(select(func.count()).select_from(AccessEvent))
    assert count == 1


# -- The therapist's patient list is a read of each patient's figures (issue 10, finding 3) -----


def list_reads(patient) -> list[AccessEvent]:
    from diary.access import LIST_READ

    return [e for e in events(patient) if e.what == LIST_READ]


@pytest.mark.parametrize("url", ["/api/v1/patients", "/therapist"])
def test_the_patient_list_logs_one_read_per_patient_and_day(patient, therapist, users, as_user, url):
    other, stranger = users.patient(), users.patient()
    link(patient, therapist)
    link(other, therapist)
    today = clock.today(patient)
    with clock.stopped_at(today - timedelta(days=1), zone=patient):
        reader = as_user(therapist)
        assert reader.get(url).status_code == 200
        assert reader.get(url).status_code == 200
    for shown in (patient, other):
        assert [(e.actor_id, e.action, e.allowed) for e in list_reads(shown)] == [
            (therapist.id, "read", True)
        ]
    assert events(stranger) == []
    with clock.stopped_at(today, zone=patient):  # the next day: one more each
        assert as_user(therapist).get(url).status_code == 200
    assert len(list_reads(patient)) == len(list_reads(other)) == 2


def test_the_patient_reads_in_plain_words_that_their_figures_were_listed(patient, therapist, as_user):
    link(patient, therapist)
    as_user(therapist).get("/therapist")
    log = as_user(patient).get("/sharing/access-log").get_data(as_text=True)
    assert f"{therapist.display_name} read your figures in their patient list" in log
