"""Rights over the data: erasure of everything of a patient, and password change."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from diary.extensions import db

from . import clock
from .factories import PASSWORD, day_body, link, make_day, session_body


def rows_referring_to(user_id) -> dict[str, int]:
    """Rows in every table that has a foreign key to users, found from the schema itself."""
    counts = {}
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "users":
                counts[f"{table.name}.{fk.parent.name}"] = db.session.scalar(
                    select(func.count()).select_from(table).where(fk.parent == user_id)
                )
    counts["users.id"] = db.session.scalar(
        select(func.count())
        .select_from(db.metadata.tables["users"])
        .where(db.metadata.tables["users"].c.id == user_id)
    )
    return counts


def child_rows_of_days() -> dict[str, int]:
    """Rows of tables below day records (they refer to a patient through their day)."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if any(fk.column.table.name == "day_records" for fk in table.foreign_keys)
    }


def test_erasure_removes_every_row_that_refers_to_the_patient(patient, therapist, users, as_user):
    link(patient, therapist)
    me = as_user(patient)
    other_login = as_user(patient)
    me.put(f"/api/v1/patients/me/days/{clock.today(patient).isoformat()}", json=day_body())
    make_day(
        patient,
        clock.today(patient) - timedelta(days=1),
        headaches=[{"intensity": 3}],
        medications=[{"name": "Paracetamol 500 mg", "drug_class": "non_opioid_analgesic"}],
    )
    me.post("/api/v1/patients/me/share-codes")
    author = as_user(therapist)
    author.post(
        f"/api/v1/patients/{patient.id}/sessions",
        json=session_body(date=clock.today(patient).isoformat(), next_review_on=None),
    )
    author.get(f"/api/v1/patients/{patient.id}/days")
    bystander = users.patient()
    make_day(bystander, clock.today(bystander), headaches=[{"intensity": 5}])
    patient_id = patient.id
    before = rows_referring_to(patient_id)
    tables_with_rows = {name for name, count in before.items() if count}
    assert {
        "day_records.patient_id",
        "treatment_sessions.patient_id",
        "therapist_links.patient_id",
        "share_codes.patient_id",
        "access_events.patient_id",
        "login_sessions.user_id",
        "users.id",
    } <= tables_with_rows

    assert me.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204

    db.session.expire_all()
    after = rows_referring_to(patient_id)
    assert after == {name: 0 for name in before}
    assert child_rows_of_days() == {"headaches": 1, "medication_intakes": 0}  # the bystander's
    assert me.get("/api/v1/me").status_code == 401
    assert other_login.get("/api/v1/me").status_code == 401
    assert author.get(f"/api/v1/patients/{patient_id}/days").status_code == 404
    assert author.get("/api/v1/patients").get_json()["patients"] == []


# SQLite only: PostgreSQL's files are the server's, and its VACUUM reclaims the space.
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_erased_words_are_gone_from_the_sqlite_files_right_after_erasure(
    backend, database_url, users, as_user
):
    email, note = f"erase-{uuid.uuid4().hex}@example.test", f"note-{uuid.uuid4().hex}"
    me = as_user(users.patient(email=email))
    me.put(f"/api/v1/patients/me/days/{clock.today(me.user).isoformat()}", json=day_body(notes=note))

    assert me.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204

    path = Path(make_url(database_url).database)
    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists():
            content = file.read_bytes()
            assert email.encode() not in content, file.name
            assert note.encode() not in content, file.name


def test_every_sqlite_connection_overwrites_what_it_deletes(tmp_path):
    from diary import _sqlite_pragmas

    # Some builds of SQLite (Debian's) overwrite by default, others do not: start from "off".
    connection = sqlite3.connect(tmp_path / "pragmas.db")
    connection.execute("PRAGMA secure_delete=OFF")
    _sqlite_pragmas(connection, None)
    assert connection.execute("PRAGMA secure_delete").fetchone() == (1,)
    connection.close()


def test_erasure_needs_the_password_and_changes_nothing_without_it(patient, as_user):
    me = as_user(patient)
    me.put(f"/api/v1/patients/me/days/{clock.today(patient).isoformat()}", json=day_body())
    response = me.delete("/api/v1/me", json={"password": "not-my-password-at-all"})
    assert response.status_code == 422
    assert "password" in response.get_json()["errors"]
    assert me.get("/api/v1/patients/me/days").get_json()["days"]


def test_a_therapist_account_is_not_erased_through_the_api(therapist, as_user):
    assert as_user(therapist).delete("/api/v1/me", json={"password": PASSWORD}).status_code == 403


def test_changing_the_password_ends_every_other_login(patient, as_user, new_api):
    here, elsewhere = as_user(patient), as_user(patient)
    new_password = "copper-meadow-lantern-92"
    response = here.put(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": new_password}
    )
    assert response.status_code == 204
    assert here.get("/api/v1/me").status_code == 200
    assert elsewhere.get("/api/v1/me").status_code == 401
    fresh = new_api()
    for password, status in ((PASSWORD, 401), (new_password, 200)):
        response = fresh.post("/api/v1/auth/login", json={"email": patient.email, "password": password})
        assert response.status_code == status


def test_a_password_change_needs_the_current_password_and_a_strong_new_one(patient, as_user):
    me = as_user(patient)
    wrong = me.put(
        "/api/v1/me/password",
        json={"current_password": "nope-nope-nope", "new_password": "copper-meadow-lantern-92"},
    )
    assert wrong.status_code == 422 and "current_password" in wrong.get_json()["errors"]
    weak = me.put("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "password1"})
    assert weak.status_code == 422 and "password" in weak.get_json()["errors"]


def test_logging_in_over_another_login_ends_the_old_one(patient, users, as_user, new_api):
    client = as_user(patient)
    old_cookie = client.client.get_cookie("diary_session").value
    client.login(users.patient())
    replay = new_api()
    replay.client.set_cookie("diary_session", old_cookie)
    assert replay.get("/api/v1/me").status_code == 401
