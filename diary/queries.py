"""Read side. Each function takes the patient `access` has already allowed (triage takes the
therapist, whose linked patients it lists)."""

from __future__ import annotations

import calendar
import functools
import json
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import (
    ARRAY,
    Date,
    Integer,
    String,
    Uuid,
    and_,
    bindparam,
    case,
    cast,
    extract,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import joinedload

from . import clinical, redflags
from .access import ACKNOWLEDGE, red_flag_subject
from .auth import token_hash
from .clinical.days import DayFacts, SessionFacts
from .extensions import db
from .models import (
    DRUG_CLASS_BITS,
    AccessEvent,
    DayRecord,
    Headache,
    Invitation,
    LoginSession,
    MedicationIntake,
    TherapistLink,
    TreatmentSession,
    User,
    drug_class_bits,
    today_in,
    utcnow,
)


def get_day(patient: User, day: date) -> DayRecord | None:
    """One day record of the patient, or None when the day is missing."""
    return db.session.scalar(
        select(DayRecord).where(DayRecord.patient_id == patient.id, DayRecord.date == day)
    )


def list_days(patient: User, first: date, last: date) -> list[DayRecord]:
    """The patient's day records from `first` to `last` inclusive, by date (three statements)."""
    return list(
        db.session.scalars(
            select(DayRecord)
            .where(DayRecord.patient_id == patient.id, DayRecord.date.between(first, last))
            .order_by(DayRecord.date)
        )
    )


def remembered_medications(patient: User, limit: int = 8) -> list[tuple[str, str]]:
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
    recorded: bool  # the day has a record
    had_headache: bool | None  # its answer to the headache question (None: not answered)
    peak_intensity: int
    headache_count: int
    medication_count: int
    soreness: int | None
    future: bool

    @property
    def logged(self) -> bool:
        """The record answers the headache question (docs/clinical-rules.md section 1)."""
        return self.recorded and self.had_headache is not None

    @property
    def unanswered(self) -> bool:
        """Saved, but the headache question is not answered: missing for headache figures."""
        return self.recorded and self.had_headache is None


def month_calendar(patient: User, year: int, month: int) -> list[list[CalendarDay | None]]:
    """Weeks (Monday first) of the month, each day with what was logged; None pads the grid."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    records = {r.date: r for r in list_days(patient, first, last)}
    today = patient.today()
    return [
        [_calendar_day(day, records.get(day), today) if day.month == month else None for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]


def last_weeks_calendar(patient: User, weeks: int) -> list[list[CalendarDay]]:
    """The last `weeks` weeks (Monday first), the last one holding the patient's today: unlike a
    month, they always hold yesterday and the days before it, whatever the date."""
    today = patient.today()
    first = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    days = [first + timedelta(days=n) for n in range(7 * weeks)]
    records = {r.date: r for r in list_days(patient, first, min(days[-1], today))}
    return [
        [_calendar_day(day, records.get(day), today) for day in days[w : w + 7]]
        for w in range(0, len(days), 7)
    ]


def _calendar_day(day: date, record: DayRecord | None, today: date) -> CalendarDay:
    return CalendarDay(
        date=day,
        recorded=record is not None,
        had_headache=record.had_headache if record else None,
        peak_intensity=max((h.intensity for h in record.headaches), default=0) if record else 0,
        headache_count=len(record.headaches) if record else 0,
        medication_count=len(record.medications) if record else 0,
        soreness=record.soreness if record else None,
        future=day > today,
    )


def patient_links(patient: User) -> list[TherapistLink]:
    """The therapists this patient shares with, oldest link first."""
    return list(
        db.session.scalars(
            select(TherapistLink)
            .where(TherapistLink.patient_id == patient.id)
            .options(joinedload(TherapistLink.therapist))
            .order_by(TherapistLink.created_at)
        )
    )


def open_invitation_where(token: str, patient: User | None = None) -> list:
    """The conditions under which the invitation of `token` can still be answered: not used, not
    withdrawn (its row is gone), not expired, and, for `patient`, not claimed by another account."""
    conditions = [
        Invitation.token_hash == token_hash(token),
        Invitation.answered_at.is_(None),
        Invitation.expires_at > utcnow(),
    ]
    if patient is not None:
        conditions.append(or_(Invitation.patient_id.is_(None), Invitation.patient_id == patient.id))
    return conditions


def open_invitation(token: str, patient: User | None = None) -> Invitation | None:
    """The invitation a link's token names, while it can be answered (by `patient`, if given):
    the token is the whole of the right to read it, as a share code is."""
    return db.session.scalar(select(Invitation).where(*open_invitation_where(token, patient)))


def therapist_invitations(therapist: User) -> list[Invitation]:
    """The therapist's invitations not yet answered nor expired, newest first."""
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.therapist_id == therapist.id,
                Invitation.answered_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at.desc())
        )
    )


def access_log(patient: User, limit: int = 500) -> list[AccessEvent]:
    """The patient's access events, newest first."""
    return list(
        db.session.scalars(
            select(AccessEvent)
            .where(AccessEvent.patient_id == patient.id)
            .order_by(AccessEvent.at.desc(), AccessEvent.id.desc())
            .limit(limit)
        )
    )


def list_sessions(patient: User) -> list[TreatmentSession]:
    """The patient's treatment sessions by date."""
    return list(
        db.session.scalars(
            select(TreatmentSession)
            .where(TreatmentSession.patient_id == patient.id)
            .order_by(TreatmentSession.date, TreatmentSession.created_at)
        )
    )


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
    prolonged_soreness: bool | None  # None: too early to tell, or no soreness scores
    change_pct: float | None
    last_session_on: date | None = None  # the latest session dated today or earlier
    # Logged days of the latest complete period and of the baseline (None without such a
    # period): why there is no change when one of them is under 14.
    period_days_logged: int | None = None
    baseline_days_logged: int | None = None
    red_flag_on: date | None = None  # the latest day of the last 7 with a red flag
    red_flags: tuple[str, ...] = ()  # the codes reported in those 7 days, most urgent first
    acute_days_30: int = 0  # acute medication days of the rolling 30 (why a limit is near)


def triage(actor: User) -> list[TriageRow]:
    """Every patient linked to this therapist, who needs attention first.

    The figures are counted in SQL and fed to the same rules as everywhere else, reading only
    the windows the rules need: the patients with the day each last logged, their sessions, the
    counts of the last 28 days, the rolling 30 days and the last three complete months (one
    statement for each calendar date that is "today" somewhere among the patients, at most
    two), the baseline, the latest complete period and the soreness spans of each patient (one,
    none when no patient has any), and the red flags of the last 7 days. A fixed number of
    statements, each with the same text whatever the number of patients.
    """
    days = DayRecord.__table__.c
    last_logged_on = (
        select(days.date)
        .where(days.patient_id == User.id, days.had_headache.is_not(None))
        .order_by(days.date.desc())
        .limit(1)
        .scalar_subquery()
    )
    patients = db.session.execute(
        select(User.id, User.display_name, User.timezone, last_logged_on.label("last_logged_on"))
        .join(TherapistLink, TherapistLink.patient_id == User.id)
        .where(TherapistLink.therapist_id == actor.id)
    ).all()
    if not patients:
        return []
    last_logged = {p.id: p.last_logged_on for p in patients}
    now = utcnow()
    today_of_zone = {zone: today_in(zone, now) for zone in {p.timezone for p in patients}}
    today = {p.id: today_of_zone[p.timezone] for p in patients}
    # The linked patients as a subquery rather than a list of ids: each statement's text, and so
    # its parsing and plan, stays the same however many patients (bench/scale.py).
    linked = select(TherapistLink.patient_id).where(TherapistLink.therapist_id == actor.id)
    sessions: dict = {p.id: [] for p in patients}
    next_review: dict = {}
    for sid, patient_id, day, review in db.session.execute(
        select(
            TreatmentSession.id,
            TreatmentSession.patient_id,
            TreatmentSession.date,
            TreatmentSession.next_review_on,
        )
        .where(TreatmentSession.patient_id.in_(linked))
        .order_by(TreatmentSession.date, TreatmentSession.created_at)
    ):
        sessions[patient_id].append(SessionFacts(id=str(sid), date=day))
        next_review[patient_id] = review  # the latest session's plan wins
    counts: dict = {}
    for day in sorted(set(today_of_zone.values())):
        zones = sorted(zone for zone, its_today in today_of_zone.items() if its_today == day)
        in_zones = linked.join(User, User.id == TherapistLink.patient_id).where(User.timezone.in_(zones))
        counts.update(_window_counts(in_zones, day))
    change, soreness = _session_windows(sessions, today)
    flagged = _recent_red_flags(linked, today)
    rows = []
    for p in patients:
        logged_28, headaches_28, rolling, records_30, months = counts.get(p.id, _NO_COUNTS)
        figures = clinical.TriageFigures(
            days_logged_28=logged_28,
            headache_days_28=headaches_28,
            medication_overuse_status=clinical.overuse_status(rolling, records_30, months),
            prolonged_soreness=soreness[p.id],
            change_pct=change.get(p.id, (None,))[0],
        )
        counted = clinical.counted_sessions(sessions[p.id], today[p.id])
        flag_on, flags = flagged.get(p.id, (None, ()))
        rows.append(
            (
                clinical.attention_key(figures, next_review.get(p.id), p.display_name, flag_on),
                TriageRow(
                    p.id,
                    p.display_name,
                    last_logged.get(p.id),
                    next_review.get(p.id),
                    figures.days_logged_28,
                    figures.headache_days_28,
                    figures.medication_overuse_status,
                    figures.prolonged_soreness,
                    figures.change_pct,
                    counted[-1].date if counted else None,
                    *change.get(p.id, (None, None, None))[1:],
                    flag_on,
                    flags,
                    acute_days_30=rolling.acute,
                ),
            )
        )
    return [row for _, row in sorted(rows, key=lambda pair: pair[0])]


_NO_CLASSES = clinical.MedicationDays(**dict.fromkeys((*clinical.ALL_CLASSES, "acute"), 0))
_NO_COUNTS = (0, 0, _NO_CLASSES, 0, [(_NO_CLASSES, 0)] * 3)
_CLASS_DAYS = (*clinical.ALL_CLASSES, "acute")
_NO_SEGMENT = [0] * (3 + len(_CLASS_DAYS))


def _window_counts(patients, today: date) -> dict:
    """Per patient of `patients` (a subquery of ids, each of whose today is `today`): days logged
    and headache days of the last 28 days, class days and days with a record of the rolling 30
    days, and class days with headache days of each of the last three complete months (latest
    first).

    One statement over the day records of those windows only (their drug classes are on the
    record), counted per patient and segment (the windows' bounds cut the dates into at most
    six), so that each day is counted once rather than once a window; the segments of each
    window are added up here."""
    days = DayRecord.__table__.c
    months = [clinical.Month.of(today).shift(-k) for k in (1, 2, 3)]
    windows = [
        (today - timedelta(days=clinical.RECENT_DAYS - 1), today),
        (today - timedelta(days=29), today),
        *((m.first_day, m.last_day) for m in months),
    ]
    bounds = sorted({first for first, _ in windows} | {last + timedelta(days=1) for _, last in windows})
    starts = [day for day in bounds if day <= today]
    segment = case(*((days.date >= start, n) for n, start in reversed(list(enumerate(starts)))), else_=-1)
    ends = [day - timedelta(days=1) for day in [*starts[1:], today + timedelta(days=1)]]
    parts = [
        [n for n, (start, end) in enumerate(zip(starts, ends)) if first <= start and end <= last]
        for first, last in windows
    ]
    counted: dict = {}  # patient: {segment: [days logged, headache days, records, *class days]}
    for pid, n, *figures in db.session.execute(
        select(
            days.patient_id,
            segment,
            func.count(days.had_headache),
            func.sum(case((days.had_headache.is_(True), 1), else_=0)),
            func.count(),
            *_CLASS_DAY_COLUMNS,
        )
        .where(days.patient_id.in_(patients), days.date >= starts[0], days.date <= today)
        .group_by(days.patient_id, segment)
    ):
        counted.setdefault(pid, {})[n] = [int(figure or 0) for figure in figures]

    def window(segments: dict, index: int) -> list[int]:
        """The figures of one window: the sum of its segments'."""
        return [sum(column) for column in zip(*(segments.get(n, _NO_SEGMENT) for n in parts[index]))]

    def classes(figures):
        return clinical.MedicationDays(**dict(zip(_CLASS_DAYS, figures[3:])))

    result = {}
    for pid, segments in counted.items():
        last_28, rolling, *in_months = (window(segments, index) for index in range(len(windows)))
        result[pid] = (
            last_28[0],
            last_28[1],
            classes(rolling),
            rolling[2],
            [(classes(figures), figures[1]) for figures in in_months],
        )
    return result


def _recent_red_flags(patients, today: dict) -> dict:
    """Per patient of `patients` (a subquery of ids) with a red flag in their last 7 days: the
    latest such day and the codes of those days, most urgent first. One statement, reading the
    days with a red flag only."""
    days = DayRecord.__table__.c
    first = min(today.values()) - timedelta(days=clinical.RED_FLAG_DAYS - 1)
    found: dict = {}
    for pid, day, codes in db.session.execute(
        select(days.patient_id, days.date, days.red_flags).where(
            days.patient_id.in_(patients),
            days.date >= first,
            days.date <= max(today.values()),
            cast(days.red_flags, String) != "[]",  # as stored for a day without one
        )
    ):
        if codes and today[pid] - timedelta(days=clinical.RED_FLAG_DAYS - 1) <= day <= today[pid]:
            latest, seen = found.get(pid, (day, []))
            found[pid] = (max(latest, day), seen + [c for c in codes if c not in seen])
    return {pid: (day, redflags.by_urgency(codes)) for pid, (day, codes) in found.items()}


def _session_windows(sessions: dict, today: dict) -> tuple[dict, dict]:
    """The figures of each patient that read windows set by their sessions: per patient with a
    complete 28-day period, the change of the latest one against the baseline with the logged
    days of each; and per patient, the soreness flag from the highest score of each span that
    clinical.recent_prolonged_soreness reads. One statement (none without any such window)."""
    windows: list = []  # (patient id, first, last)
    periods, spans = {}, {}
    for pid, facts in sessions.items():
        latest = clinical.latest_complete_period(facts, today[pid])
        if latest is not None:
            first = clinical.first_session_date(facts, today[pid])
            periods[pid] = len(windows)
            windows += [(pid, first - timedelta(days=clinical.PERIOD_DAYS), first - timedelta(days=1))]
            windows += [(pid, *latest)]
        spans[pid] = (len(windows), clinical.recent_soreness_spans(facts, today[pid]))
        windows += [(pid, first, last) for first, last, _ in spans[pid][1]]
    found = _figures_of_windows(windows)
    change = {}
    for pid, key in periods.items():
        (baseline_logged, baseline_headaches, _), (period_logged, period_headaches, _) = found[key : key + 2]
        change[pid] = (
            clinical.headache_days_change_pct(
                period_headaches, period_logged, baseline_headaches, baseline_logged
            ),
            period_logged,
            baseline_logged,
        )
    soreness = {
        pid: clinical.prolonged_soreness_of_spans(
            [highest for _, _, highest in found[key : key + len(recent)]], recent, today[pid]
        )
        for pid, (key, recent) in spans.items()
    }
    return change, soreness


def _figures_of_windows(windows: list) -> list[tuple[int, int, int | None]]:
    """For each (patient id, first, last): the days logged, the headache days and the highest
    soreness of that patient's records from first to last. One statement whatever the number of
    windows (none without one)."""
    wanted = [(key, pid, first, last) for key, (pid, first, last) in enumerate(windows) if first <= last]
    found: dict = {}
    if wanted:
        days, table = DayRecord.__table__.c, _windows_table(wanted)
        for key, logged, headaches, highest in db.session.execute(
            select(
                table.c.key,
                func.count(days.had_headache),
                func.sum(case((days.had_headache.is_(True), 1), else_=0)),
                func.max(days.soreness),
            )
            .select_from(
                table.join(
                    DayRecord.__table__,
                    and_(
                        days.patient_id == table.c.patient_id,
                        days.date >= table.c.from_date,
                        days.date <= table.c.to_date,
                    ),
                )
            )
            .group_by(table.c.key)
        ):
            found[int(key)] = (int(logged or 0), int(headaches or 0), highest)
    return [found.get(key, (0, 0, None)) for key in range(len(windows))]


_WINDOW_COLUMNS = ("key", "patient_id", "from_date", "to_date")


def _windows_table(rows: list[tuple]):
    """Rows of (key, patient id, first date, last date) as a table to join in one statement:
    unnest of four array parameters on PostgreSQL, json_each of one JSON parameter on SQLite.
    The statement's text stays the same however many rows, so it is compiled (and on
    PostgreSQL planned) once, unlike an OR of one condition per row."""
    keys, pids, firsts, lasts = (list(column) for column in zip(*rows))
    if db.session.get_bind().dialect.name == "postgresql":
        arrays = zip(_WINDOW_COLUMNS, (keys, pids, firsts, lasts), (Integer, Uuid, Date, Date))
        return (
            func.unnest(
                *(bindparam(f"window_{name}", value, type_=ARRAY(kind)) for name, value, kind in arrays)
            )
            .table_valued(*_WINDOW_COLUMNS)
            .render_derived(name="windows")
        )
    each = func.json_each(
        bindparam("windows", json.dumps([[k, p.hex, a.isoformat(), b.isoformat()] for k, p, a, b in rows]))
    ).table_valued("value")
    return select(
        *(func.json_extract(each.c.value, f"$[{n}]").label(name) for n, name in enumerate(_WINDOW_COLUMNS))
    ).subquery("windows")


def _as_date(value) -> date:
    """A date column's value: PostgreSQL gives a date, SQLite (read as text) 'YYYY-MM-DD'."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _facts(where) -> list[DayFacts]:
    """Day facts of the day rows `where` selects, by date, in one statement: per-day headache
    counts and peaks, with the classes taken from the record's drug-class bits.

    Plain SQL on the session's connection, with dates read as text on SQLite and converted by
    the C date parser: per-row conversions were most of the time of a long diary.
    """
    days, headaches = DayRecord.__table__.c, Headache.__table__.c
    rows = (
        db.session.connection()
        .execute(
            select(
                type_coerce(days.date, String),
                days.soreness,
                days.had_headache,
                days.drug_classes,
                func.count(headaches.id),
                func.coalesce(func.max(headaches.intensity), 0),
            )
            .select_from(DayRecord.__table__.outerjoin(Headache.__table__, headaches.day_id == days.id))
            .where(where)
            .group_by(days.id, days.date, days.soreness, days.had_headache, days.drug_classes)
            .order_by(days.date)
        )
        .all()
    )
    return [
        DayFacts(
            date=_as_date(day),
            headache_count=count,
            peak_intensity=peak,
            drug_classes=_classes_of(bits),
            soreness=soreness,
            logged=had_headache is not None,
        )
        for day, soreness, had_headache, bits, count, peak in rows
    ]


@functools.cache
def _classes_of(bits: int) -> frozenset[str]:
    """The drug classes whose bit is set in `bits` (DayRecord.drug_classes)."""
    return frozenset(name for name, bit in DRUG_CLASS_BITS.items() if bits & bit)


def day_facts(patient: User, first: date | None = None, last: date | None = None) -> list[DayFacts]:
    """The patient's day records up to their today (records dated later count nowhere) as the
    clinical engine reads them, in one statement whatever the length of the diary."""
    days = DayRecord.__table__.c
    last = min(last, patient.today()) if last is not None else patient.today()
    where = [days.patient_id == patient.id, days.date <= last]
    if first is not None:
        where.append(days.date >= first)
    return _facts(and_(*where))


def day_facts_in(patient: User, ranges: list[tuple[date, date]]) -> list[DayFacts]:
    """The patient's day records of the given date ranges (as clinical.ranges names them) up to
    their today, as the clinical engine reads them: one statement, one BETWEEN per range."""
    days = DayRecord.__table__.c
    today = patient.today()
    wanted = [days.date.between(first, min(last, today)) for first, last in ranges if first <= today]
    if not wanted:
        return []
    return _facts(and_(days.patient_id == patient.id, or_(*wanted)))


def overuse_months_in_a_row(patient: User, index: clinical.DayIndex) -> int:
    """Overuse months in a row before this month, exactly as the engine counts them over the
    whole diary. `index` holds at least the overuse window: a count under three ends inside it;
    otherwise the class days of every earlier month are counted in SQL (one statement)."""
    today = patient.today()
    counted = clinical.consecutive_overuse_months(index, today)
    if counted < clinical.ICHD3_MONTHS:
        return counted
    return clinical.overuse_months_in_a_row(
        _class_days_by_month(patient, clinical.Month.of(today).shift(-1).last_day), today
    )


def _days_with(mask: int):
    """The number of day records whose drug-class bits hold any of `mask`'s: a column to count."""
    bits = DayRecord.__table__.c.drug_classes
    return func.sum(case((bits.op("&", return_type=Integer)(mask) != 0, 1), else_=0))


# The days of each class of clinical.ALL_CLASSES, in order, then of any acute class (the
# expressions are made once: building them anew cost a few milliseconds a triage list).
_CLASS_DAY_COLUMNS = [
    *(_days_with(DRUG_CLASS_BITS[name]) for name in clinical.ALL_CLASSES),
    _days_with(drug_class_bits(clinical.ACUTE_CLASSES)),
]


def _class_days_by_month(patient: User, last: date) -> dict[clinical.Month, clinical.MedicationDays]:
    """Class days (and acute medication days) of each calendar month with a medication, up to
    `last`. One statement over the day records, grouped by month."""
    days = DayRecord.__table__.c
    year, month = extract("year", days.date), extract("month", days.date)
    rows = db.session.execute(
        select(year, month, *_CLASS_DAY_COLUMNS)
        .where(days.patient_id == patient.id, days.date <= last, days.drug_classes != 0)
        .group_by(year, month)
    )
    return {
        clinical.Month(int(y), int(m)): clinical.MedicationDays(**dict(zip(_CLASS_DAYS, map(int, counts))))
        for y, m, *counts in rows
    }


def medication_overuse(patient: User) -> clinical.MedicationOveruseStatus:
    """The patient's medication-overuse status as of their today, from the overuse window (and,
    for a long run of overuse months, one statement more): two statements, or three."""
    today = patient.today()
    index = clinical.index_days(day_facts_in(patient, [clinical.overuse_window(today)]))
    return clinical.medication_overuse_status(index, today, overuse_months_in_a_row(patient, index))


def follow_up_summary(patient: User) -> clinical.FollowUpSummary:
    """The patient's pre-follow-up summary as of their today, from the days it reads only."""
    today = patient.today()
    sessions = session_facts(patient)
    index = clinical.index_days(day_facts_in(patient, clinical.follow_up_ranges(sessions, today)))
    return clinical.follow_up_summary(index, sessions, today, overuse_months_in_a_row(patient, index))


def session_facts(patient: User) -> list[SessionFacts]:
    """The patient's treatment sessions as the clinical engine reads them, by date."""
    return [
        SessionFacts(id=str(sid), date=day)
        for sid, day in db.session.execute(
            select(TreatmentSession.id, TreatmentSession.date)
            .where(TreatmentSession.patient_id == patient.id)
            .order_by(TreatmentSession.date, TreatmentSession.created_at)
        )
    ]


def first_diary_day(patient: User) -> date | None:
    """The day the patient's diary starts: their first day record or first treatment session,
    whichever is earlier, up to their today (one statement); None before either."""
    today = patient.today()
    first_record = select(func.min(DayRecord.date)).where(
        DayRecord.patient_id == patient.id, DayRecord.date <= today
    )
    first_session = select(func.min(TreatmentSession.date)).where(
        TreatmentSession.patient_id == patient.id, TreatmentSession.date <= today
    )
    found = db.session.execute(select(first_record.scalar_subquery(), first_session.scalar_subquery())).one()
    return min((day for day in found if day is not None), default=None)


def session_dates(patient: User, first: date, last: date) -> set[date]:
    """The dates from `first` to `last` on which the patient had a treatment session (one
    statement), to mark them on the month calendar."""
    return set(
        db.session.scalars(
            select(TreatmentSession.date)
            .distinct()
            .where(TreatmentSession.patient_id == patient.id, TreatmentSession.date.between(first, last))
        )
    )


@dataclass(frozen=True)
class PatientPicture:
    """The clinical picture of one patient as of their today: what the patient's progress page,
    the therapist's figures and the printed pre-follow-up summary show. Every figure comes from
    diary.clinical; the few fields below that compare two figures only name the direction, so
    templates choose words without doing arithmetic over diary data."""

    today: date
    sessions: list[TreatmentSession]  # by date, oldest first
    last_28_days: clinical.PeriodFigures  # today-27 .. today
    progress: clinical.Progress
    latest_complete: clinical.ProgressPeriod | None  # the latest complete 28-day period
    current_period: clinical.ProgressPeriod | None  # the period today falls in, while incomplete
    current_period_days: int  # days of the current period so far (today included)
    follow_up: clinical.FollowUpSummary
    effects: list[clinical.SessionEffect]  # every session, oldest first (14-day windows)

    @property
    def overuse(self) -> clinical.MedicationOveruseStatus:
        return self.follow_up.medication_overuse

    @property
    def baseline(self) -> clinical.Baseline | None:
        return self.progress.baseline

    def since_trend(self, figure: str) -> str | None:
        """'down', 'up' or 'same': a figure since the last session against the days before it."""
        since, before = self.follow_up.since_last_session, self.follow_up.before_last_session
        if since is None or before is None:
            return None
        after_value, before_value = getattr(since, figure), getattr(before, figure)
        if after_value is None or before_value is None:
            return None
        return _direction(after_value, before_value)


def _direction(value, reference) -> str:
    return "down" if value < reference else "up" if value > reference else "same"


def patient_picture(patient: User) -> PatientPicture:
    """The patient's whole clinical picture in two statements (three for a long run of overuse
    months) whatever the length of the diary: the sessions once, the days its figures read
    (one), then every rule over one index."""
    today = patient.today()
    sessions = list_sessions(patient)
    facts = [SessionFacts(id=str(s.id), date=s.date) for s in sessions]
    index = clinical.index_days(day_facts_in(patient, clinical.picture_ranges(facts, today)))
    past = clinical.counted_sessions(facts, today)
    progress = clinical.treatment_progress(index, past, today)
    complete = [p for p in progress.periods if p.complete]
    current = progress.periods[-1] if progress.periods and not progress.periods[-1].complete else None
    return PatientPicture(
        today=today,
        sessions=sessions,
        last_28_days=clinical.period_figures(index, *clinical.last_days_window(today)),
        progress=progress,
        latest_complete=complete[-1] if complete else None,
        current_period=current,
        current_period_days=(today - current.from_date).days + 1 if current else 0,
        follow_up=clinical.follow_up_summary(index, facts, today, overuse_months_in_a_row(patient, index)),
        effects=clinical.session_effects(index, past, today),
    )


@dataclass(frozen=True)
class RedFlagDay:
    """A day of the last 7 on which the patient reported red flags, and who acknowledged it."""

    date: date
    flags: tuple  # redflags.RedFlag, most urgent first
    acknowledged_by: str | None
    acknowledged_at: object | None  # an aware datetime


def red_flag_days(patient: User) -> list[RedFlagDay]:
    """The patient's days of the last 7 with red flags, latest first, with the first
    acknowledgement of each (from the access log). Two statements."""
    today = patient.today()
    days = DayRecord.__table__.c
    rows = [
        (day, codes)
        for day, codes in db.session.execute(
            select(days.date, days.red_flags)
            .where(
                days.patient_id == patient.id,
                days.date <= today,
                days.date >= today - timedelta(days=clinical.RED_FLAG_DAYS - 1),
            )
            .order_by(days.date.desc())
        )
        if codes
    ]
    if not rows:
        return []
    acknowledged: dict = {}
    for what, name, at in db.session.execute(
        select(AccessEvent.what, AccessEvent.actor_name, AccessEvent.at)
        .where(
            AccessEvent.patient_id == patient.id,
            AccessEvent.action == ACKNOWLEDGE,
            AccessEvent.allowed.is_(True),
        )
        .order_by(AccessEvent.at)
    ):
        acknowledged.setdefault(what, (name, at))
    return [
        RedFlagDay(
            day,
            tuple(redflags.BY_CODE[c] for c in redflags.by_urgency(codes)),
            *acknowledged.get(red_flag_subject(day), (None, None)),
        )
        for day, codes in rows
    ]


EXPORT_BATCH_DAYS = 400  # day records read per statement by an export: memory is set by this
# Each list of a day (its headaches, its medications: DayRecord's relationships) and its table.
_ITEM_TABLES = [(rel.key, rel.mapper.local_table) for rel in DayRecord.__mapper__.relationships]


def day_rows(patient: User, first: date, last: date) -> list[dict]:
    """The patient's day records from `first` to `last` inclusive, by date, as mappings DaySchema
    dumps: three statements, plain rows rather than ORM objects (a two-year list is 730 days
    with their items)."""
    days = DayRecord.__table__
    where = and_(days.c.patient_id == patient.id, days.c.date.between(first, last))
    records = db.session.execute(select(days).where(where).order_by(days.c.date)).mappings().all()
    return _with_items(records, where)


def days_in_batches(patient: User, batch: int = EXPORT_BATCH_DAYS):
    """Every day record of the patient by date, `batch` days at a time (keyset on the date, three
    statements a batch), as mappings DaySchema dumps: an export's memory is set by the batch, not
    by the diary. Plain rows, not ORM objects: nothing is kept in the session between batches."""
    days = DayRecord.__table__
    after: date | None = None
    while True:
        query = select(days).where(days.c.patient_id == patient.id)
        if after is not None:
            query = query.where(days.c.date > after)
        records = db.session.execute(query.order_by(days.c.date).limit(batch)).mappings().all()
        if not records:
            return
        yield _with_items(
            records,
            and_(
                days.c.patient_id == patient.id, days.c.date.between(records[0]["date"], records[-1]["date"])
            ),
        )
        if len(records) < batch:
            return
        after = records[-1]["date"]


def _with_items(records: list, where) -> list[dict]:
    """The day rows `records` (mappings, by date) each with its lists of items (its headaches,
    its medications), read in one statement a list through the days `where` selects, which
    holds every one of `records`; the statement's text is the same whatever the number of days."""
    days = DayRecord.__table__
    items: dict[tuple[str, int], list] = {}
    for name, table in _ITEM_TABLES:
        rows = db.session.execute(
            select(table)
            .join(days, table.c.day_id == days.c.id)
            .where(where)
            .order_by(table.c.day_id, table.c.position)
        ).mappings()
        for row in rows:
            items.setdefault((name, row["day_id"]), []).append(row)
    return [
        {**record, **{name: items.get((name, record["id"]), []) for name, _ in _ITEM_TABLES}}
        for record in records
    ]


def logins_of(user: User) -> list[dict]:
    """The user's logins (devices), the most recently used first; `current` marks the one this
    request comes with."""
    from .auth import current_token_hash

    rows = db.session.execute(
        select(
            LoginSession.id,
            LoginSession.device,
            LoginSession.address,
            LoginSession.created_at,
            LoginSession.last_seen_at,
            (LoginSession.token_hash == (current_token_hash() or "")).label("current"),
        )
        .where(LoginSession.user_id == user.id)
        .order_by(LoginSession.last_seen_at.desc().nulls_last(), LoginSession.created_at.desc())
    )
    return [row._asdict() for row in rows]


def accounts_overview(role: str | None = None) -> list:
    """Every account (the clinic's command line), by email, with how many logins it has open."""
    logins = (
        select(func.count(LoginSession.token_hash))
        .where(LoginSession.user_id == User.id)
        .correlate(User)
        .scalar_subquery()
    )
    query = select(
        User.email, User.role, User.display_name, User.created_at, User.disabled_at, logins.label("logins")
    ).order_by(User.email)
    if role is not None:
        query = query.where(User.role == role)
    return list(db.session.execute(query))


def days_to_catch_up(patient: User) -> list[date]:
    """The days of the catch-up window (docs/reminders.md) the patient has not logged, newest
    first: no record, or the headache question not answered."""
    from .reminders import catch_up_window, days_missing

    today = patient.today()
    first_day = db.session.scalar(select(func.min(DayRecord.date)).where(DayRecord.patient_id == patient.id))
    joined = patient.today(patient.created_at)
    first, last = catch_up_window(today, min(joined, first_day or joined))
    if first > last:
        return []
    logged = db.session.scalars(
        select(DayRecord.date).where(
            DayRecord.patient_id == patient.id,
            DayRecord.date.between(first, last),
            DayRecord.had_headache.is_not(None),
        )
    )
    return days_missing(first, last, set(logged))
