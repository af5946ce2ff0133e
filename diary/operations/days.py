"""Write side of diary days: record a whole day, delete it."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    bindparam,
    column,
    delete,
    func,
    insert,
    null,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..errors import Conflict, InvalidInput, StaleVersion
from ..extensions import db
from ..models import DayRecord, Headache, MedicationIntake, User, utcnow

MAX_YEARS_BACK = 5
# `if_match` for a write based on no stored record (If-None-Match: *): versions start at 1.
NEW_DAY = 0


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def check_diary_date(patient: User, day: date) -> None:
    """A diary date is neither after the patient's own today nor more than 5 years back."""
    today = patient.today()
    if day > today:
        raise InvalidInput({"date": ["This date has not happened yet where you are."]},
                           "The date is in the future.")
    if day < years_before(today, MAX_YEARS_BACK):
        raise InvalidInput({"date": ["The diary keeps the last 5 years only."]},
                           "The date is more than 5 years back.")


_HEADACHE_FIELDS = ("start", "duration_minutes", "intensity", "type", "side", "locations",
                    "symptoms", "neck_provoked")
_MEDICATION_FIELDS = ("name", "drug_class", "doses", "time", "relief")
_DAY_FIELDS = ("soreness", "exercises_done", "triggers", "notes")


def day_content(record: DayRecord) -> dict[str, Any]:
    """A stored day in the shape DaySchema loads, to tell whether a write changes anything."""
    return {
        "headaches": [{f: getattr(h, f) for f in _HEADACHE_FIELDS} for h in record.headaches],
        "medications": [{f: getattr(m, f) for f in _MEDICATION_FIELDS} for m in record.medications],
        **{f: getattr(record, f) for f in _DAY_FIELDS},
    }


def content_digest(content: dict[str, Any]) -> str:
    """A fingerprint of a day's content, so a repeated write is known without reading it back."""
    canonical = {
        "headaches": [{f: h[f] for f in _HEADACHE_FIELDS} for h in content["headaches"]],
        "medications": [{f: m[f] for f in _MEDICATION_FIELDS} for m in content["medications"]],
        **{f: content[f] for f in _DAY_FIELDS},
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"),
                      default=lambda t: t.strftime("%H:%M"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredDay:
    """A day record as just written (the response is built from it, not read back)."""

    date: date
    headaches: list[dict[str, Any]]
    medications: list[dict[str, Any]]
    soreness: int | None
    exercises_done: bool | None
    triggers: list[str]
    notes: str | None
    version: int
    updated_at: datetime


def _stored(day: date, content: dict[str, Any], version: int, updated_at: datetime) -> StoredDay:
    return StoredDay(date=day, version=version, updated_at=updated_at,
                     **{f: content[f] for f in (*_DAY_FIELDS, "headaches", "medications")})


def _find_day(patient: User, day: date) -> DayRecord | None:
    return db.session.scalar(
        select(DayRecord).where(DayRecord.patient_id == patient.id, DayRecord.date == day)
    )


# The write path is hot (PERFORMANCE.md): plain SQL on the session's connection, since the ORM's
# unit of work for the child rows costs more than the database does, and every statement built
# once with bound parameters, since building one costs the worker more than running it.
# On PostgreSQL a day and its headaches and medications go in one statement (data-modifying
# CTEs): each round trip costs the worker more CPU than the database's own work. SQLite, in
# process, has no round trips to save and no data-modifying CTEs.
_DAYS, _HEADACHES, _MEDICATIONS = DayRecord.__table__, Headache.__table__, MedicationIntake.__table__
_ITEMS = ((_HEADACHES, "headaches", _HEADACHE_FIELDS), (_MEDICATIONS, "medications", _MEDICATION_FIELDS))
_WRITTEN = (*_DAY_FIELDS, "content_hash", "version", "updated_at")

_SELECT_STORED = select(_DAYS.c.id, _DAYS.c.version, _DAYS.c.content_hash, _DAYS.c.updated_at) \
    .where(_DAYS.c.patient_id == bindparam("patient_id"), _DAYS.c.date == bindparam("date"))
_NEW_DAY = {name: bindparam(name) for name in (*_WRITTEN, "patient_id", "date", "created_at")}
_INSERT_DAY = insert(_DAYS).values(_NEW_DAY).returning(_DAYS.c.id)
_UPDATE_DAY = update(_DAYS).where(
    _DAYS.c.id == bindparam("day_id"), _DAYS.c.version == bindparam("based_on")
).values({name: bindparam(name) for name in _WRITTEN}).returning(_DAYS.c.id)
_INSERT_NEW_DAY = pg_insert(_DAYS).values(_NEW_DAY) \
    .on_conflict_do_nothing(index_elements=[_DAYS.c.patient_id, _DAYS.c.date]).returning(_DAYS.c.id)
_DELETE_ITEMS = [delete(table).where(table.c.day_id == bindparam("day_id")) for table, _, _ in _ITEMS]


def _item_rows(content: dict[str, Any], key: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"position": i, **{f: item[f] for f in fields}} for i, item in enumerate(content[key])]


def _json_ready(value: Any) -> Any:
    return value.strftime("%H:%M") if isinstance(value, time) else value


@functools.cache
def _one_statement_write(replace: bool, with_items: tuple[str, ...]):
    """PostgreSQL: the day and the items named in `with_items`, all in one statement.

    To replace: the day is updated if still at `based_on`; the statement returns its id, or no
    row when nothing was written. To insert: unless the date is taken; the statement returns
    the new id with a NULL version, or the stored row (as _SELECT_STORED) when the date was
    taken, or no row when another writer took it a moment ago.

    The items travel as one JSON parameter per table, unpacked by json_to_recordset, so the
    statement is the same whatever the number of items. All parts of one statement see the rows
    as they were before it, so the deletes remove the old items only, never the new ones."""
    day = (_UPDATE_DAY if replace else _INSERT_NEW_DAY).cte("day")
    ctes = []
    if replace:
        ctes += [delete(table).where(table.c.day_id.in_(select(day.c.id))).cte(f"old_{table.name}")
                 for table, _, _ in _ITEMS]
    for table, key, fields in _ITEMS:
        if key not in with_items:
            continue
        columns = ("position", *fields)
        items = (func.json_to_recordset(bindparam(key, type_=JSON))
                 .table_valued(*(column(name, table.c[name].type) for name in columns))
                 .render_derived(name=f"{key}_rows", with_types=True))
        source = select(day.c.id, *(items.c[name] for name in columns)).select_from(day).join(items, true())
        ctes.append(insert(table).from_select(["day_id", *columns], source).cte(f"new_{key}"))
    if replace:
        return select(day.c.id).add_cte(*ctes)
    # The stored row as it was before the statement: none when the insert above took the date.
    new = select(day.c.id, null().label("version"), null().label("content_hash"), null().label("updated_at"))
    return union_all(new.add_cte(*ctes), _SELECT_STORED)


def _items_param(content: dict[str, Any]) -> tuple[tuple[str, ...], dict[str, Any]]:
    with_items = tuple(key for _, key, _ in _ITEMS if content[key])
    return with_items, {key: [{k: _json_ready(v) for k, v in row.items()} for row in _item_rows(content, key, fields)]
                        for _, key, fields in _ITEMS if key in with_items}


def _insert_items(connection: Connection, day_id: int, content: dict[str, Any]) -> None:
    for table, key, fields in _ITEMS:
        if content[key]:
            connection.execute(insert(table), [{"day_id": day_id, **row}
                                               for row in _item_rows(content, key, fields)])


def _insert_or_find(connection: Connection, params: dict[str, Any], content: dict[str, Any]):
    """Insert the day unless its date is taken: None when inserted, else the stored row."""
    if connection.dialect.name == "postgresql":
        with_items, items = _items_param(content)
        found = connection.execute(_one_statement_write(False, with_items), {**params, **items}).first()
        if found is None:
            raise StaleDataError("another writer took the date")
        return found if found.version is not None else None
    stored = connection.execute(_SELECT_STORED, params).one_or_none()
    if stored is None:
        _insert_items(connection, connection.execute(_INSERT_DAY, params).scalar_one(), content)
    return stored


def _replace(connection: Connection, params: dict[str, Any], content: dict[str, Any]) -> bool:
    """Replace the day if it is still at params["based_on"]; False if it was not."""
    if connection.dialect.name == "postgresql":
        with_items, items = _items_param(content)
        statement = _one_statement_write(True, with_items)
        return connection.execute(statement, {**params, **items}).one_or_none() is not None
    if connection.execute(_UPDATE_DAY, params).one_or_none() is None:
        return False
    for statement in _DELETE_ITEMS:
        connection.execute(statement, {"day_id": params["day_id"]})
    _insert_items(connection, params["day_id"], content)
    return True


def _write_day(patient: User, day: date, data: dict[str, Any],
               if_match: int | None) -> tuple[StoredDay, bool]:
    digest = content_digest(data)
    now = utcnow()
    key = {"patient_id": patient.id, "date": day}
    # Only columns to write: an UPDATE takes any other column named in its parameters as one more.
    written = {**{f: data[f] for f in _DAY_FIELDS}, "content_hash": digest, "updated_at": now}
    connection = db.session.connection()
    if if_match in (None, NEW_DAY):
        stored = _insert_or_find(connection, {**written, **key, "version": 1, "created_at": now}, data)
        if stored is None:
            db.session.commit()
            return _stored(day, data, 1, now), True
    else:  # a write based on a version: never a new day
        stored = connection.execute(_SELECT_STORED, key).one_or_none()
        if stored is None:
            raise StaleVersion(None)
    if stored.content_hash == digest or (stored.content_hash is None
                                         and content_digest(day_content(_find_day(patient, day))) == digest):
        # The same body again: nothing to write, whatever If-Match says.
        return _stored(day, data, stored.version, stored.updated_at), False
    if if_match is not None and if_match != stored.version:
        raise StaleVersion(_find_day(patient, day))
    version = stored.version + 1
    if not _replace(connection, {**written, "day_id": stored.id, "based_on": stored.version,
                                 "version": version}, data):
        raise StaleDataError("the day changed under this write")
    db.session.commit()
    return _stored(day, data, version, now), False


def one_statement_request(view: Callable) -> Callable:
    """For a view whose one write is record_day: on PostgreSQL that write is a single statement,
    atomic by itself (and a replace names the version it read), so the request runs without a
    transaction of its own, saving the BEGIN and COMMIT round trips. It wraps the access rule,
    whose login lookup is the request's first query."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if db.engine.dialect.name == "postgresql":
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return view(*args, **kwargs)

    return wrapped


def record_day(patient: User, day: date, data: dict[str, Any],
               if_match: int | None = None) -> tuple[StoredDay, bool]:
    """Store the whole day record; returns it and whether it is new.

    The same content twice changes nothing. With `if_match`, a write based on an older version
    (or, with NEW_DAY, on no record while one now exists) is refused with StaleVersion. Two
    writers racing for one day: the loser tries again, now seeing the winner's record like any
    later request would; after three tries it is refused with Conflict (409, try again).
    """
    if "date" in data and data["date"] != day:
        raise InvalidInput({"date": ["The date in the body differs from the date in the address."]})
    check_diary_date(patient, day)
    for attempt in (1, 2, 3):
        try:
            return _write_day(patient, day, data, if_match)
        except (IntegrityError, StaleDataError):
            db.session.rollback()
            if attempt == 3:
                raise Conflict("This day was being saved by another request. Try again.") from None
    raise AssertionError("unreachable")


def _stored_or_empty(patient: User, day: date) -> dict[str, Any]:
    record = _find_day(patient, day)
    if record is None:
        return {"headaches": [], "medications": [], "soreness": None, "exercises_done": None,
                "triggers": [], "notes": None}
    return day_content(record)


def update_day(patient: User, day: date, changes: dict[str, Any]) -> tuple[StoredDay, bool]:
    """Change some fields of a day (validated by the caller) and keep the rest as stored."""
    return record_day(patient, day, {**_stored_or_empty(patient, day), **changes})


def mark_headache_free(patient: User, day: date) -> tuple[StoredDay, bool]:
    """Log a day as headache-free, keeping the rest; never wipes headaches already logged."""
    if _stored_or_empty(patient, day)["headaches"]:
        raise Conflict("A headache is already logged for this day. Open the day to change it.")
    return update_day(patient, day, {"headaches": []})


def delete_day(patient: User, day: date, if_match: int | None = None) -> bool:
    """Remove a day record, so the day is missing again; False when there was none."""
    record = _find_day(patient, day)
    if record is None:
        return False
    if if_match is not None and if_match != record.version:
        raise StaleVersion(record)
    db.session.delete(record)
    db.session.commit()
    return True
