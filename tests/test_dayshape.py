"""The day's shape (diary/dayshape.py) is the one home of a day's fields: the schemas, the write
path's fingerprint and the form mapping follow from it, and the models are checked against it."""

from __future__ import annotations

import copy
from datetime import time

import pytest
from sqlalchemy import Boolean, Integer, SmallInteger, String, Text, Time
from sqlalchemy.types import JSON

from diary import dayshape
from diary.models import DayRecord, Headache, MedicationIntake
from diary.operations.days import content_digest
from diary.schemas import DaySchema, HeadacheSchema, MedicationSchema, day_schema
from diary.web.forms import day_from_form, day_to_form

# One value of every field that is not its default, as DaySchema loads it.
EVERY_FIELD = {
    "had_headache": True,
    "soreness": 4,
    "exercises_done": False,
    "triggers": ["stress", "red wine"],
    "notes": "All of it",
    "red_flags": ["sudden_severe", "needle_site_infection"],
    "headaches": [
        {
            "start": time(7, 5),
            "duration_minutes": 90,
            "intensity": 7,
            "type": "migraine",
            "side": "left",
            "locations": ["temples"],
            "symptoms": ["aura"],
            "neck_provoked": True,
        }
    ],
    "medications": [
        {
            "name": "Sumatriptan 50 mg",
            "drug_class": "triptan",
            "doses": 2,
            "time": time(7, 30),
            "relief": "partial",
        }
    ],
}
OTHER_VALUES = {
    "had_headache": None,
    "soreness": 5,
    "exercises_done": True,
    "triggers": ["stress"],
    "notes": "Another",
    "red_flags": [],
    "start": time(7, 6),
    "duration_minutes": 91,
    "intensity": 8,
    "type": "tension",
    "side": "right",
    "locations": ["neck"],
    "symptoms": ["nausea"],
    "neck_provoked": False,
    "name": "Rizatriptan 10 mg",
    "drug_class": "other_acute",
    "doses": 3,
    "time": None,
    "relief": "none",
}
COLUMN_TYPES = {
    "number": (Integer, SmallInteger),
    "text": (String, Text, Time),
    "choice": (String,),
    "name": (String,),
    "yes_no": (Boolean,),
    "words": (JSON,),
    "triggers": (JSON,),
}


def test_every_field_of_the_shape_is_covered_by_the_examples():
    assert set(EVERY_FIELD) == set(dayshape.CONTENT_NAMES)
    for items in dayshape.ITEMS:
        assert set(EVERY_FIELD[items.name][0]) == set(items.names)
    assert set(OTHER_VALUES) == {
        f.name for f in (*dayshape.DAY, *dayshape.HEADACHE.fields, *dayshape.MEDICATION.fields)
    }


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (DayRecord, dayshape.DAY),
        (Headache, dayshape.HEADACHE.fields),
        (MedicationIntake, dayshape.MEDICATION.fields),
    ],
    ids=["day", "headache", "medication"],
)
def test_each_field_has_its_column_in_the_model(model, fields):
    columns = model.__table__.c
    for field in fields:
        assert field.name in columns, f"{model.__name__} has no column {field.name}"
        column = columns[field.name]
        assert isinstance(column.type, COLUMN_TYPES[field.form]), (field.name, column.type)
        # A field that may be null (or left out to null) is a nullable column, and only those.
        assert column.nullable == (field.default is None and not field.required), field.name


def test_the_schemas_hold_exactly_the_fields_of_the_shape():
    assert set(HeadacheSchema().fields) == set(dayshape.HEADACHE.names)
    assert set(MedicationSchema().fields) == set(dayshape.MEDICATION.names)
    assert set(DaySchema().fields) == {*dayshape.CONTENT_NAMES, "date", "version", "updated_at"}


def test_an_empty_day_is_what_the_schema_loads_from_an_empty_body():
    assert DaySchema().load({}) == dayshape.empty_day()


def _changed(path: tuple) -> dict:
    day = copy.deepcopy(EVERY_FIELD)
    target = day
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = OTHER_VALUES[path[-1]]
    return day


PATHS = [(f.name,) for f in dayshape.DAY] + [
    (items.name, 0, name) for items in dayshape.ITEMS for name in items.names
]


@pytest.mark.parametrize("path", PATHS, ids=[".".join(map(str, p)) for p in PATHS])
def test_the_content_digest_covers_every_field(path):
    assert content_digest(_changed(path)) != content_digest(EVERY_FIELD)


def test_the_form_carries_every_field_there_and_back():
    dumped = day_schema.dump(EVERY_FIELD)
    form = day_to_form(dumped)
    for field in dayshape.DAY:
        assert field.in_form in form, field.name
    day, _rows = day_from_form(form)
    assert DaySchema().load(day) == EVERY_FIELD


@pytest.mark.parametrize("answer", [True, False, None])
def test_the_form_carries_the_headache_answer_as_headache_today(answer):
    day = {**EVERY_FIELD, "had_headache": answer, "headaches": EVERY_FIELD["headaches"] if answer else []}
    form = day_to_form(day_schema.dump(day))
    assert form["headache_today"] == {True: "yes", False: "no", None: ""}[answer]
    assert DaySchema().load(day_from_form(form)[0])["had_headache"] is answer
