"""Diary days: one record per patient and date (docs/api.md "Diary days")."""

from __future__ import annotations

from datetime import date

from flask import request
from flask_login import current_user
from werkzeug.exceptions import NotFound

from .. import operations, queries
from ..access import rule
from ..errors import InvalidInput, StaleVersion, problem
from ..models import User
from ..schemas import (
    CatalogueSchema,
    DayListSchema,
    DayRangeQuerySchema,
    DaySchema,
    day_schema,
)
from ..vocabulary import MEDICATION_CATALOGUE
from . import bp
from .helpers import doc, etag, if_match, json_body, load


def _stale(error: StaleVersion):
    current = day_schema.dump(error.current) if error.current is not None else None
    headers = {"ETag": etag(error.current.version)} if error.current is not None else {}
    return problem(412, "Changed elsewhere",
                   "This day was changed since the version you started from.",
                   headers=headers, current=current)


@bp.put("/patients/me/days/<day:day>")
@rule("patient")
@doc("Store a whole day record (201 new, 200 replaced)", body=DaySchema,
     responses={200: DaySchema, 201: DaySchema, 403: None, 409: None, 412: None, 422: None}, who="the patient")
def put_day(day: date):
    data = load(day_schema, json_body())
    try:
        record, created = operations.record_day(current_user, day, data, if_match=if_match())
    except StaleVersion as error:
        return _stale(error)
    return day_schema.dump(record), 201 if created else 200, {"ETag": etag(record.version)}


@bp.get("/patients/<pid>/days/<day:day>")
@rule("patient_or_linked_therapist", "diary day {day}")
@doc("One day record", responses={200: DaySchema, 404: None}, who="the patient, a linked therapist")
def get_day(patient: User, day: date):
    record = queries.get_day(patient, day)
    if record is None:
        raise NotFound()
    return day_schema.dump(record), {"ETag": etag(record.version)}


@bp.get("/patients/<pid>/days")
@rule("patient_or_linked_therapist", "diary days")
@doc("Day records from `from` to `to` (default: the last 28 days)", query=DayRangeQuerySchema,
     responses={200: DayListSchema, 404: None, 422: None}, who="the patient, a linked therapist")
def list_days(patient: User):
    params = load(DayRangeQuerySchema(), request.args.to_dict())
    first, last = queries.day_range_or_default(patient, params["from_"], params["to"])
    if first > last:
        raise InvalidInput({"from": ["`from` is after `to`."]})
    if (last - first).days + 1 > queries.MAX_DAYS_PER_LIST:
        raise InvalidInput({"to": [f"Ask for at most {queries.MAX_DAYS_PER_LIST} days at a time."]})
    return DayListSchema().dump({"days": queries.list_days(patient, first, last)})


@bp.delete("/patients/me/days/<day:day>")
@rule("patient")
@doc("Delete a day record; the day becomes missing again", responses={204: None, 404: None, 412: None},
     who="the patient")
def delete_day(day: date):
    try:
        deleted = operations.delete_day(current_user, day, if_match=if_match())
    except StaleVersion as error:
        return _stale(error)
    if not deleted:
        raise NotFound()
    return "", 204


@bp.get("/medications/catalogue")
@rule("logged_in")
@doc("Common UK acute headache medications with their class", responses={200: CatalogueSchema})
def medication_catalogue():
    items = [{"name": name, "drug_class": drug_class} for name, drug_class in MEDICATION_CATALOGUE]
    return CatalogueSchema().dump({"medications": items})


@bp.get("/patients/me/medications")
@rule("patient")
@doc("The patient's own medications, most recent first, for one-tap logging",
     responses={200: CatalogueSchema}, who="the patient")
def my_medications():
    items = [{"name": name, "drug_class": drug_class}
             for name, drug_class in queries.remembered_medications(current_user)]
    return CatalogueSchema().dump({"medications": items})
