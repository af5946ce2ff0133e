"""Read side. Each function takes the acting user first and the patient `access` allowed."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from .extensions import db
from .models import DayRecord, MedicationIntake, User

MAX_DAYS_PER_LIST = 2000


def get_day(actor: User, patient: User, day: date) -> DayRecord | None:
    """One day record of the patient, or None when the day is missing."""
    return db.session.scalar(
        select(DayRecord).where(DayRecord.patient_id == patient.id, DayRecord.date == day)
    )


def list_days(actor: User, patient: User, first: date, last: date) -> list[DayRecord]:
    """The patient's day records from `first` to `last` inclusive, by date (three statements)."""
    return list(db.session.scalars(
        select(DayRecord)
        .where(DayRecord.patient_id == patient.id, DayRecord.date.between(first, last))
        .order_by(DayRecord.date)
    ))


def remembered_medications(actor: User, patient: User, limit: int = 8) -> list[tuple[str, str]]:
    """The medications the patient logs, most recently used first, for one-tap logging."""
    rows = db.session.execute(
        select(MedicationIntake.name, MedicationIntake.drug_class)
        .join(DayRecord, DayRecord.id == MedicationIntake.day_id)
        .where(DayRecord.patient_id == patient.id)
        .group_by(MedicationIntake.name, MedicationIntake.drug_class)
        .order_by(func.max(DayRecord.date).desc(), func.count().desc())
        .limit(limit)
    )
    return [(name, drug_class) for name, drug_class in rows]


@dataclass(frozen=True)
class CalendarDay:
    """One square of the month calendar."""

    date: date
    logged: bool
    peak_intensity: int
    headache_count: int
    medication_count: int
    soreness: int | None
    future: bool


def month_calendar(actor: User, patient: User, year: int, month: int) -> list[list[CalendarDay | None]]:
    """Weeks (Monday first) of the month, each day with what was logged; None pads the grid."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    records = {r.date: r for r in list_days(actor, patient, first, last)}
    today = patient.today()
    weeks: list[list[CalendarDay | None]] = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        row: list[CalendarDay | None] = []
        for day in week:
            if day.month != month:
                row.append(None)
                continue
            record = records.get(day)
            row.append(CalendarDay(
                date=day,
                logged=record is not None,
                peak_intensity=max((h.intensity for h in record.headaches), default=0) if record else 0,
                headache_count=len(record.headaches) if record else 0,
                medication_count=len(record.medications) if record else 0,
                soreness=record.soreness if record else None,
                future=day > today,
            ))
        weeks.append(row)
    return weeks


def day_range_or_default(patient: User, first: date | None, last: date | None) -> tuple[date, date]:
    """The list range asked for, defaulting to the 28 days that end on the patient's today."""
    last = last or patient.today()
    first = first or last - timedelta(days=27)
    return first, last
