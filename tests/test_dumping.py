"""schemas/dumping.py: a schema's dump worked out once gives what the schema's own dump gives.

The day list answers with it (api/days.py), so these tests hold it to DaySchema.dump on every
day of the demo diary, on the edge cases of a day, and through the API against the ORM records.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from marshmallow import Schema, fields, post_dump
from sqlalchemy import select

from diary import queries
from diary.demo import DEMO_PATIENT, load_demo_data
from diary.extensions import db
from diary.models import User
from diary.schemas.days import DayListSchema, day_schema
from diary.schemas.dumping import dumper

from . import clock
from .factories import make_day

dump_day = dumper(day_schema)


def test_every_day_of_the_demo_diary_dumps_as_day_schema_dumps_it(mid_month, app):
    load_demo_data()
    patient = db.session.scalar(select(User).where(User.email == DEMO_PATIENT[0]))
    today = clock.today(patient)
    rows = queries.day_rows(patient, today - timedelta(days=5 * 366), today)
    assert (
        len(rows) > 100 and any(row["medications"] for row in rows) and any(row["headaches"] for row in rows)
    )
    for row in rows:
        assert dump_day(row) == day_schema.dump(row)


def test_the_edge_cases_of_a_day_dump_as_day_schema_dumps_them():
    """Nones, empty and missing lists, a time, a time zone, text outside ASCII, a missing key."""
    headache = {
        "start": time(7, 5),
        "duration_minutes": None,
        "intensity": 10,
        "type": "migraine",
        "side": None,
        "locations": [],
        "symptoms": ["aura", "nausea"],
        "neck_provoked": None,
    }
    full = {
        "date": date(2026, 2, 28),
        "had_headache": True,
        "soreness": 0,
        "exercises_done": False,
        "triggers": ["été", "stress"],
        "notes": "Sore \U0001f915",
        "red_flags": [],
        "headaches": [headache, {**headache, "start": None, "symptoms": []}],
        "medications": [
            {
                "name": "Ibuprofen",
                "drug_class": "non_opioid_analgesic",
                "doses": 2,
                "time": None,
                "relief": None,
            }
        ],
        "version": 3,
        "updated_at": datetime(2026, 3, 1, 9, 30, tzinfo=clock.UTC),
        "content_hash": "left out by both",
    }
    empty = {**full, "had_headache": None, "soreness": None, "triggers": [], "notes": None, "headaches": []}
    without_version = {k: v for k, v in full.items() if k != "version"}
    for record in (full, empty, without_version):
        assert dump_day(record) == day_schema.dump(record)
    assert "version" not in dump_day(without_version)


def test_a_schema_with_dump_hooks_is_refused():
    class Hooked(Schema):
        name = fields.String()

        @post_dump
        def shout(self, data, **kwargs):
            return {k: v.upper() for k, v in data.items()}

    with pytest.raises(TypeError, match="dump hooks"):
        dumper(Hooked())


def test_the_day_list_answers_what_day_list_schema_dumps_of_the_stored_records(mid_month, logged_in, patient):
    today = clock.today(patient)
    make_day(patient, today, headaches=[{"intensity": 4, "start": time(8, 30)}], soreness=2)
    make_day(
        patient, today - timedelta(days=3), medications=[{"name": "Sumatriptan", "drug_class": "triptan"}]
    )
    make_day(patient, today - timedelta(days=9), had_headache=None)
    first = today - timedelta(days=27)
    response = logged_in.get(f"/api/v1/patients/me/days?from={first.isoformat()}&to={today.isoformat()}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    db.session.expire_all()
    expected = DayListSchema().dump({"days": queries.list_days(patient, first, today)})
    assert response.get_json() == expected and len(expected["days"]) == 3
