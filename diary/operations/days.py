"""Write side of diary days: record a whole day, delete it.

One plain write path for both databases, in the request's own transaction: read the stored
day's version and content hash; insert a new day, or replace a stored one with an UPDATE that
names the version it read (optimistic concurrency: of two writers, one wins and the other sees
no row) and its items deleted and inserted again. The columns and the content fingerprint follow
from the day's shape (diary/dayshape.py).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import make_dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .. import dayshape
from ..errors import Conflict, InvalidInput, StaleVersion
from ..extensions import db
from ..models import DayRecord, User, drug_class_bits, utcnow

MAX_YEARS_BACK = 5
# `if_match` for a write based on no stored record (If-None-Match: *): versions start at 1.
NEW_DAY = 0
TRIES = 3  # writers racing for one day: each gets this many tries, then 409


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def check_diary_date(patient: User, day: date) -> None:
    """A diary date is neither after the patient's own today nor more than 5 years back."""
    today = patient.today()
    if day > today:
        raise InvalidInput(
            {"date": ["This date has not happened yet where you are."]}, "The date is in the future."
        )
    if day < years_before(today, MAX_YEARS_BACK):
        raise InvalidInput(
            {"date": ["The diary keeps the last 5 years only."]}, "The date is more than 5 years back."
        )


def day_content(record: DayRecord) -> dict[str, Any]:
    """A stored day in the shape DaySchema loads, to tell whether a write changes anything."""
    return dayshape.content(record)


def content_digest(content: dict[str, Any]) -> str:
    """A fingerprint of a day's content, so a repeated write is known without reading it back."""
    text = json.dumps(
        dayshape.content(content),
        sort_keys=True,
        separators=(",", ":"),
        default=lambda t: t.strftime("%H:%M"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


StoredDay = make_dataclass(
    "StoredDay",
    [
        ("date", date),
        *((name, Any) for name in dayshape.CONTENT_NAMES),
        ("version", int),
        ("updated_at", datetime),
    ],
    frozen=True,
    slots=True,
)
StoredDay.__module__ = __name__
StoredDay.__doc__ = "A day record as just written (the response is built from it, not read back)."


def _stored(day: date, content: dict[str, Any], version: int, updated_at: datetime):
    return StoredDay(
        date=day,
        version=version,
        updated_at=updated_at,
        **{name: content[name] for name in dayshape.CONTENT_NAMES},
    )


def _find_day(patient: User, day: date) -> DayRecord | None:
    return db.session.scalar(
        select(DayRecord).where(DayRecord.patient_id == patient.id, DayRecord.date == day)
    )


_DAYS = DayRecord.__table__
# Each list of the shape is stored in the table of DayRecord's relationship of that name.
_ITEM_TABLES = [
    (items, getattr(DayRecord, items.name).property.mapper.local_table) for items in dayshape.ITEMS
]


def _insert_items(day_id: int, data: dict[str, Any]) -> None:
    for items, table in _ITEM_TABLES:
        rows = [
            {"day_id": day_id, "position": position, **{name: item[name] for name in items.names}}
            for position, item in enumerate(data[items.name])
        ]
        if rows:
            db.session.execute(insert(table), rows)


def store_day(patient: User, day: date, data: dict[str, Any], if_match: int | None):
    """Write the day in the current transaction, uncommitted (record_day commits it; an import
    commits all its days at once). Returns the day as written and whether it is new."""
    digest = content_digest(data)
    now = utcnow()
    written = {
        **{name: data[name] for name in dayshape.DAY_NAMES},
        "drug_classes": drug_class_bits(m["drug_class"] for m in data["medications"]),
        "content_hash": digest,
        "updated_at": now,
    }
    stored = db.session.execute(
        select(_DAYS.c.id, _DAYS.c.version, _DAYS.c.content_hash, _DAYS.c.updated_at).where(
            _DAYS.c.patient_id == patient.id, _DAYS.c.date == day
        )
    ).one_or_none()
    if stored is None:
        if if_match not in (None, NEW_DAY):  # based on a version that is gone
            raise StaleVersion(None)
        day_id = db.session.execute(
            insert(_DAYS)
            .values(patient_id=patient.id, date=day, version=1, created_at=now, **written)
            .returning(_DAYS.c.id)
        ).scalar_one()
        _insert_items(day_id, data)
        return _stored(day, data, 1, now), True
    if stored.content_hash == digest:
        # The same body again: nothing to write, whatever If-Match says.
        return _stored(day, data, stored.version, stored.updated_at), False
    if if_match is not None and if_match != stored.version:  # NEW_DAY too: the day exists
        raise StaleVersion(_find_day(patient, day))
    version = stored.version + 1
    replaced = db.session.execute(
        update(_DAYS)
        .where(_DAYS.c.id == stored.id, _DAYS.c.version == stored.version)
        .values(version=version, **written)
    )
    if replaced.rowcount != 1:
        raise StaleDataError("the day changed under this write")
    for _, table in _ITEM_TABLES:
        db.session.execute(delete(table).where(table.c.day_id == stored.id))
    _insert_items(stored.id, data)
    return _stored(day, data, version, now), False


def _write_day(patient: User, day: date, data: dict[str, Any], if_match: int | None):
    written = store_day(patient, day, data, if_match)
    db.session.commit()
    return written


def record_day(patient: User, day: date, data: dict[str, Any], if_match: int | None = None):
    """Store the whole day record (as DaySchema loads it); returns it and whether it is new.

    The same content twice changes nothing. With `if_match`, a write based on an older version
    (or, with NEW_DAY, on no record while one now exists) is refused with StaleVersion. Two
    writers racing for one day: the loser tries again, now seeing the winner's record like any
    later request would; after three tries it is refused with Conflict (409, try again).
    """
    if "date" in data and data["date"] != day:
        raise InvalidInput({"date": ["The date in the body differs from the date in the address."]})
    check_diary_date(patient, day)
    for attempt in range(1, TRIES + 1):
        try:
            return _write_day(patient, day, data, if_match)
        except (IntegrityError, StaleDataError):
            db.session.rollback()
            if attempt == TRIES:
                raise Conflict("This day was being saved by another request. Try again.") from None
    raise AssertionError("unreachable")


def _stored_or_empty(patient: User, day: date) -> dict[str, Any]:
    record = _find_day(patient, day)
    return dayshape.empty_day() if record is None else day_content(record)


def update_day(patient: User, day: date, changes: dict[str, Any]):
    """Change some fields of a day (validated by the caller) and keep the rest as stored.

    The headache question keeps its answer (a day not yet answered stays unanswered), unless
    the changed headaches contradict it: then it reads as if left out."""
    merged = {**_stored_or_empty(patient, day), **changes}
    if "had_headache" not in changes and dayshape.answer_problem(merged["had_headache"], merged["headaches"]):
        merged["had_headache"] = dayshape.answer_left_out(merged["headaches"])
    return record_day(patient, day, merged)


def mark_headache_free(patient: User, day: date):
    """Log a day as headache-free, keeping the rest; never wipes headaches already logged."""
    if _stored_or_empty(patient, day)["headaches"]:
        raise Conflict("A headache is already logged for this day. Open the day to change it.")
    return update_day(patient, day, {"had_headache": False, "headaches": []})


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


def add_red_flag(patient: User, day: date, code: str):
    """Add one warning sign (diary/redflags.py) to a day, keeping the rest of it as stored; the
    headache question keeps its answer (or stays unanswered)."""
    flags = _stored_or_empty(patient, day)["red_flags"]
    if code in flags:
        return _find_day(patient, day), False
    return update_day(patient, day, {"red_flags": [*flags, code]})
