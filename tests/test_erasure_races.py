"""An erasure that commits while another request of the same patient, or of their therapist, is
half done: that request answers 401 (its own user is gone) or 404 (the patient it names is
gone), never 500.

Each race is made to happen at one exact point: a listener on the real engine runs the erasure,
through the patient's own login and on another connection, just before the other request sends
a given statement. Nothing of ours is mocked.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from diary.access import rule
from diary.extensions import db

from . import clock
from .factories import PASSWORD, assert_problem, day_body, link, make_day


@contextmanager
def erased_just_before(statement: str, eraser):
    """Erase `eraser`'s patient (their own DELETE /api/v1/me) just before the first SQL statement
    that starts with `statement`; yields the statements that set it off (one, once it has)."""
    eraser.csrf_token()  # fetched now, not in the middle of the other request
    fired: list[str] = []

    def erase_first(conn, cursor, sql, parameters, context, executemany):
        if fired or not sql.lstrip().startswith(statement):
            return
        fired.append(sql)
        assert eraser.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204

    event.listen(db.engine, "before_cursor_execute", erase_first)
    try:
        yield fired
    finally:
        event.remove(db.engine, "before_cursor_execute", erase_first)


@pytest.mark.parametrize(
    ("method", "path", "body", "statement"),
    [
        # A new day: the insert's foreign key fails, and the retry finds the user deleted.
        ("PUT", "/api/v1/patients/me/days/{yesterday}", day_body(), "INSERT INTO day_records"),
        # A stored day changed: the update finds no row.
        ("PUT", "/api/v1/patients/me/days/{stored}", day_body(), "UPDATE day_records"),
        # The profile: the ORM's update of the user finds no row.
        ("PATCH", "/api/v1/me", {"display_name": "Sam"}, "UPDATE users"),
    ],
)
def test_a_write_from_the_patients_other_login_during_erasure_is_401(
    patient, as_user, method, path, body, statement
):
    yesterday = clock.today(patient) - timedelta(days=1)
    stored = make_day(patient, yesterday - timedelta(days=1), headaches=[{"intensity": 2}]).date
    phone, laptop = as_user(patient), as_user(patient)
    with erased_just_before(statement, laptop) as fired:
        response = phone.request(method, path.format(yesterday=yesterday, stored=stored), json=body)
    assert fired
    assert_problem(response, 401)
    assert phone.get("/api/v1/me").status_code == 401


def test_a_page_write_from_the_patients_other_login_during_erasure_goes_to_the_login_page(patient, as_user):
    day = clock.today(patient) - timedelta(days=1)
    phone, laptop = as_user(patient), as_user(patient)
    with erased_just_before("INSERT INTO day_records", laptop) as fired:
        response = phone.request("POST", f"/days/{day.isoformat()}/quick", data={"action": "no_headache"})
    assert fired
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_a_linked_therapists_read_during_erasure_is_404(patient, therapist, as_user):
    link(patient, therapist)
    me, reader = as_user(patient), as_user(therapist)
    with erased_just_before("INSERT INTO access_events", me) as fired:
        response = reader.get(f"/api/v1/patients/{patient.id}/days")
    assert fired
    assert_problem(response, 404)
    assert reader.get("/api/v1/me").status_code == 200  # the therapist is still logged in


def test_a_linked_therapists_page_during_erasure_is_the_404_page(patient, therapist, as_user):
    link(patient, therapist)
    me, reader = as_user(patient), as_user(therapist)
    with erased_just_before("INSERT INTO access_events", me) as fired:
        response = reader.client.get(f"/therapist/patients/{patient.id}")
    assert fired
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_a_database_error_with_everyone_still_there_is_a_500(app, users, as_user):
    """Only a vanished user or patient is explained away; any other such error is a bug."""

    @rule("logged_in")
    def clash():
        raise IntegrityError("INSERT ...", {}, Exception("a constraint of ours"))

    app.add_url_rule("/api/v1/test-clash", view_func=clash)  # before the app's first request
    assert_problem(as_user(users.patient()).get("/api/v1/test-clash"), 500)
