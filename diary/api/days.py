"""Diary days: one record per patient and date (docs/api.md "Diary days")."""

from __future__ import annotations

from datetime import date

from flask_login import current_user
from werkzeug.exceptions import NotFound

from .. import operations, queries
from ..access import rule
from ..errors import StaleVersion, problem
from ..models import User
from ..schemas.days import CatalogueSchema, DayListSchema, DayRangeQuerySchema, DaySchema, day_schema
from ..schemas.dumping import dumper
from ..vocabulary import MEDICATION_CATALOGUE
from . import bp
from .helpers import etag, if_match, json_answer, no_content

_dump_day = dumper(day_schema)


def _stale(error: StaleVersion):
    current = day_schema.dump(error.current) if error.current is not None else None
    headers = {"ETag": etag(error.current.version)} if error.current is not None else {}
    return problem(
        412,
        "Changed elsewhere",
        "This day was changed since the version you started from.",
        headers=headers,
        current=current,
    )


@bp.put("/patients/me/days/<day:day>")
@rule("patient")
@bp.arguments(DaySchema)
@bp.response(200, DaySchema, description="Replaced")
@bp.alt_response(201, schema=DaySchema, description="Created", success=True)
@bp.problems(409, 412)
def put_day(data: dict, day: date):
    """Store a whole day record (201 new, 200 replaced)"""
    try:
        record, created = operations.record_day(current_user, day, data, if_match=if_match())
    except StaleVersion as error:
        return _stale(error)
    return record, 201 if created else 200, {"ETag": etag(record.version)}


@bp.get("/patients/<pid>/days/<day:day>")
@rule("patient_or_linked_therapist", "diary day {day}")
@bp.response(200, DaySchema)
def get_day(patient: User, day: date):
    """One day record"""
    record = queries.get_day(patient, day)
    if record is None:
        raise NotFound()
    return record, {"ETag": etag(record.version)}


@bp.over_a_range("/patients/<pid>/days", "diary days", DayRangeQuerySchema, DayListSchema)
def list_days(patient: User, first: date, last: date):
    """Day records from `from` to `to` (default: the last 28 days)"""
    # Up to 2,000 days: dumped by DaySchema's fields worked out once (schemas/dumping.py), as
    # DayListSchema would dump them, and serialised with orjson.
    days = [_dump_day(row) for row in queries.day_rows(patient, first, last)]
    return json_answer({"days": days})


@bp.delete("/patients/me/days/<day:day>")
@rule("patient")
@bp.response(204)
@bp.problems(412)
def delete_day(day: date):
    """Delete a day record; the day becomes missing again"""
    try:
        deleted = operations.delete_day(current_user, day, if_match=if_match())
    except StaleVersion as error:
        return _stale(error)
    if not deleted:
        raise NotFound()
    return no_content()


@bp.get("/medications/catalogue")
@rule("logged_in")
@bp.response(200, CatalogueSchema)
def medication_catalogue():
    """Common UK acute headache medications with their class"""
    items = [{"name": name, "drug_class": drug_class} for name, drug_class in MEDICATION_CATALOGUE]
    return {"medications": items}


@bp.get("/patients/me/medications")
@rule("patient")
@bp.response(200, CatalogueSchema)
def my_medications():
    """The patient's own medications, most recent first, for one-tap logging"""
    items = [
        {"name": name, "drug_class": drug_class}
        for name, drug_class in queries.remembered_medications(current_user)
    ]
    return {"medications": items}
