"""Read side. Each function takes the acting user first and the patient `access` allowed."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from .extensions import db
from . import clinical
from .clinical.days import DayFacts, SessionFacts
from .models import (
    AccessEvent,
    DayRecord,
    Headache,
    MedicationIntake,
    TherapistLink,
    TreatmentSession,
    User,
)

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


def patient_links(actor: User, patient: User) -> list[TherapistLink]:
    """The therapists this patient shares with, oldest link first."""
    return list(db.session.scalars(
        select(TherapistLink).where(TherapistLink.patient_id == patient.id)
        .options(joinedload(TherapistLink.therapist)).order_by(TherapistLink.created_at)
    ))


def access_log(actor: User, patient: User, limit: int = 500) -> list[AccessEvent]:
    """The patient's access events, newest first."""
    return list(db.session.scalars(
        select(AccessEvent).where(AccessEvent.patient_id == patient.id)
        .order_by(AccessEvent.at.desc(), AccessEvent.id.desc()).limit(limit)
    ))


def list_sessions(actor: User, patient: User) -> list[TreatmentSession]:
    """The patient's treatment sessions by date."""
    return list(db.session.scalars(
        select(TreatmentSession).where(TreatmentSession.patient_id == patient.id)
        .order_by(TreatmentSession.date, TreatmentSession.created_at)
    ))


@dataclass(frozen=True)
class TriageRow:
    """One linked patient on a therapist's list, with the figures that decide who comes first."""

    id: object
    display_name: str
    last_logged_on: date | None
    next_review_on: date | None
    days_logged_28: int
    headache_days_28: int
    medication_overuse_status: str
    prolonged_soreness: bool
    change_pct: float | None


def triage(actor: User) -> list[TriageRow]:
    """Every patient linked to this therapist, who needs attention first, in five statements
    whatever the number of patients."""
    patients = list(db.session.scalars(
        select(User).join(TherapistLink, TherapistLink.patient_id == User.id)
        .where(TherapistLink.therapist_id == actor.id)
    ))
    if not patients:
        return []
    ids = [p.id for p in patients]
    today = {p.id: p.today() for p in patients}
    last_logged = dict(db.session.execute(
        select(DayRecord.patient_id, func.max(DayRecord.date))
        .where(DayRecord.patient_id.in_(ids)).group_by(DayRecord.patient_id)
    ).all())
    sessions: dict = {p.id: [] for p in patients}
    next_review: dict = {}
    for sid, patient_id, day, review in db.session.execute(
        select(TreatmentSession.id, TreatmentSession.patient_id, TreatmentSession.date,
               TreatmentSession.next_review_on)
        .where(TreatmentSession.patient_id.in_(ids))
        .order_by(TreatmentSession.date, TreatmentSession.created_at)
    ):
        sessions[patient_id].append(SessionFacts(id=str(sid), date=day))
        next_review[patient_id] = review  # the latest session's plan wins
    ranges = [(pid, first, last) for pid in ids
              for first, last in clinical.triage_ranges(sessions[pid], today[pid])]
    facts = _facts_of_many(ranges)
    rows = []
    for p in patients:
        figures = clinical.triage_figures(facts.get(p.id, []), sessions[p.id], today[p.id])
        rows.append((clinical.attention_key(figures, next_review.get(p.id), p.display_name),
                     TriageRow(p.id, p.display_name, last_logged.get(p.id), next_review.get(p.id),
                               figures.days_logged_28, figures.headache_days_28,
                               figures.medication_overuse_status, figures.prolonged_soreness,
                               figures.change_pct)))
    return [row for _, row in sorted(rows, key=lambda pair: pair[0])]


def _facts(where) -> dict:
    """Day facts per patient for the rows `where` selects, in two statements: per-day headache
    counts and peaks, then the classes taken."""
    headache_rows = db.session.execute(
        select(DayRecord.patient_id, DayRecord.date, DayRecord.soreness, func.count(Headache.id),
               func.coalesce(func.max(Headache.intensity), 0))
        .outerjoin(Headache, Headache.day_id == DayRecord.id)
        .where(where)
        .group_by(DayRecord.id, DayRecord.patient_id, DayRecord.date, DayRecord.soreness)
        .order_by(DayRecord.patient_id, DayRecord.date)
    ).all()
    classes: dict = {}
    for patient_id, day, drug_class in db.session.execute(
        select(DayRecord.patient_id, DayRecord.date, MedicationIntake.drug_class).distinct()
        .join(MedicationIntake, MedicationIntake.day_id == DayRecord.id).where(where)
    ):
        classes.setdefault((patient_id, day), set()).add(drug_class)
    facts: dict = {}
    for patient_id, day, soreness, count, peak in headache_rows:
        facts.setdefault(patient_id, []).append(DayFacts(
            date=day, headache_count=count, peak_intensity=peak,
            drug_classes=frozenset(classes.get((patient_id, day), ())), soreness=soreness))
    return facts


def _facts_of_many(ranges: list[tuple]) -> dict:
    """Day facts of several patients, each over its own date ranges, in two statements."""
    if not ranges:
        return {}
    return _facts(or_(*(and_(DayRecord.patient_id == pid, DayRecord.date.between(first, last))
                        for pid, first, last in ranges)))


def day_facts(actor: User, patient: User, first: date | None = None,
              last: date | None = None) -> list[DayFacts]:
    """The patient's logged days as the clinical engine reads them, in two statements whatever
    the length of the diary."""
    where = [DayRecord.patient_id == patient.id]
    if first is not None:
        where.append(DayRecord.date >= first)
    if last is not None:
        where.append(DayRecord.date <= last)
    return _facts(and_(*where)).get(patient.id, [])


def session_facts(actor: User, patient: User) -> list[SessionFacts]:
    """The patient's treatment sessions as the clinical engine reads them, by date."""
    return [SessionFacts(id=str(sid), date=day) for sid, day in db.session.execute(
        select(TreatmentSession.id, TreatmentSession.date)
        .where(TreatmentSession.patient_id == patient.id)
        .order_by(TreatmentSession.date, TreatmentSession.created_at)
    )]


def session_dates(actor: User, patient: User, first: date, last: date) -> set[date]:
    """The dates from `first` to `last` on which the patient had a treatment session (one
    statement), to mark them on the month calendar."""
    return set(db.session.scalars(
        select(TreatmentSession.date).distinct()
        .where(TreatmentSession.patient_id == patient.id, TreatmentSession.date.between(first, last))
    ))
