"""Write side of an import: days read from a file (diary/interchange/reading.py) stored all or
nothing, through the day write path (operations/days.py), so an imported day obeys every rule a
saved day does (docs/export-import.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..errors import Conflict, InvalidInput, StaleVersion
from ..extensions import db
from ..models import DayRecord, User
from .days import NEW_DAY, check_diary_date, content_digest, store_day


@dataclass
class ImportOutcome:
    """What an import does (or, dry, would do): the API's answer."""

    created: list[date] = field(default_factory=list)
    replaced: list[date] = field(default_factory=list)
    unchanged: list[date] = field(default_factory=list)
    conflicts: list[date] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    written: bool = False

    def answer(self) -> dict:
        return {
            "created": len(self.created),
            "replaced": len(self.replaced),
            "unchanged": len(self.unchanged),
            "conflicts": self.conflicts,
            "errors": self.errors,
        }


def _stored(patient: User, dates: list[date]) -> dict[date, tuple[int, str | None]]:
    """{date: (version, content hash)} of the patient's stored days among `dates` (one statement)."""
    if not dates:
        return {}
    rows = db.session.execute(
        select(DayRecord.date, DayRecord.version, DayRecord.content_hash).where(
            DayRecord.patient_id == patient.id, DayRecord.date.between(min(dates), max(dates))
        )
    )
    return {day: (version, digest) for day, version, digest in rows}


def import_days(patient: User, reading, *, dry_run: bool, replace: bool) -> ImportOutcome:
    """Sort the read days into created, replaced, unchanged and conflicts (a stored day with other
    content, left as it is unless `replace`); unless `dry_run` or there is any error, store them
    in one transaction. A day changed by another request meanwhile ends the import with Conflict,
    nothing written."""
    outcome = ImportOutcome(errors=list(reading.errors))
    days = []
    for incoming in reading.days:
        try:
            check_diary_date(patient, incoming.date)
        except InvalidInput as error:
            for message in error.errors["date"]:
                outcome.errors.append(
                    {"file": incoming.file, "row": incoming.row, "field": "date", "message": message}
                )
            continue
        days.append(incoming)
    stored = _stored(patient, [d.date for d in days])
    writes = []
    for incoming in sorted(days, key=lambda d: d.date):
        version, digest = stored.get(incoming.date, (None, None))
        if version is None:
            outcome.created.append(incoming.date)
        elif digest == content_digest(incoming.data):
            outcome.unchanged.append(incoming.date)
            continue
        elif replace:
            outcome.replaced.append(incoming.date)
        else:
            outcome.conflicts.append(incoming.date)
            continue
        writes.append((incoming, NEW_DAY if version is None else version))
    outcome.errors.sort(key=lambda e: (e["file"] or "", e["row"] or 0))
    if dry_run or outcome.errors:
        return outcome
    try:
        for incoming, version in writes:
            store_day(patient, incoming.date, incoming.data, version)
        db.session.commit()
    except (IntegrityError, StaleDataError, StaleVersion):
        db.session.rollback()
        raise Conflict(
            "Some of these days were changed while they were brought in. Nothing was saved: try again."
        ) from None
    except BaseException:
        db.session.rollback()
        raise
    outcome.written = True
    return outcome
