"""Write side of diary days: record a whole day, delete it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
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


def _insert_items(connection, day_id: int, content: dict[str, Any]) -> None:
    if content["headaches"]:
        connection.execute(insert(Headache.__table__), [
            {"day_id": day_id, "position": i, **{f: h[f] for f in _HEADACHE_FIELDS}}
            for i, h in enumerate(content["headaches"])])
    if content["medications"]:
        connection.execute(insert(MedicationIntake.__table__), [
            {"day_id": day_id, "position": i, **{f: m[f] for f in _MEDICATION_FIELDS}}
            for i, m in enumerate(content["medications"])])


def _write_day(patient: User, day: date, data: dict[str, Any],
               if_match: int | None) -> tuple[StoredDay, bool]:
    # Plain SQL statements on the session's connection: the write path is hot (PERFORMANCE.md)
    # and the ORM's unit of work for the child rows costs more than the database does.
    days, headaches, medications = (DayRecord.__table__, Headache.__table__,
                                    MedicationIntake.__table__)
    digest = content_digest(data)
    now = utcnow()
    fields = {f: data[f] for f in _DAY_FIELDS}
    connection = db.session.connection()
    stored = connection.execute(
        select(days.c.id, days.c.version, days.c.content_hash, days.c.updated_at)
        .where(days.c.patient_id == patient.id, days.c.date == day)
    ).one_or_none()
    if stored is not None:
        stored_digest = stored.content_hash or content_digest(day_content(_find_day(patient, day)))
        if stored_digest == digest:
            # The same body again: nothing to write, whatever If-Match says.
            return _stored(day, data, stored.version, stored.updated_at), False
        if if_match is not None and if_match != stored.version:
            raise StaleVersion(_find_day(patient, day))
        changed = connection.execute(
            update(days).where(days.c.id == stored.id, days.c.version == stored.version)
            .values(**fields, content_hash=digest, version=stored.version + 1, updated_at=now)
        ).rowcount
        if changed != 1:
            raise StaleDataError("the day changed under this write")
        connection.execute(delete(headaches).where(headaches.c.day_id == stored.id))
        connection.execute(delete(medications).where(medications.c.day_id == stored.id))
        _insert_items(connection, stored.id, data)
        db.session.commit()
        return _stored(day, data, stored.version + 1, now), False
    if if_match not in (None, NEW_DAY):
        raise StaleVersion(None)
    day_id = connection.execute(
        insert(days).values(patient_id=patient.id, date=day, **fields, content_hash=digest,
                            version=1, created_at=now, updated_at=now)
        .returning(days.c.id)
    ).scalar_one()
    _insert_items(connection, day_id, data)
    db.session.commit()
    return _stored(day, data, 1, now), True


def record_day(patient: User, day: date, data: dict[str, Any],
               if_match: int | None = None) -> tuple[StoredDay, bool]:
    """Store the whole day record; returns it and whether it is new.

    The same content twice changes nothing. With `if_match`, a write based on an older version
    (or, with NEW_DAY, on no record while one now exists) is refused with StaleVersion. Two
    writers racing for one day: the loser retries once and then sees the winner's record like
    any later request would.
    """
    if "date" in data and data["date"] != day:
        raise InvalidInput({"date": ["The date in the body differs from the date in the address."]})
    check_diary_date(patient, day)
    for attempt in (1, 2):
        try:
            return _write_day(patient, day, data, if_match)
        except (IntegrityError, StaleDataError):
            db.session.rollback()
            if attempt == 2:
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
