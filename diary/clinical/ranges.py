"""Which days each rule reads, so a caller loads only those (and never a query per day)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from .days import SessionFacts
from .effects import PROLONGED_TO_DAY
from .overuse import ICHD3_MONTHS, ROLLING_DAYS
from .periods import Month
from .progress import PERIOD_DAYS, first_session_date


def overuse_window(today: date) -> tuple[date, date]:
    """The days the medication-overuse status reads: the rolling 30 days and the last three
    complete months. (The count of consecutive overuse months reads further back; callers
    that want it exact pass every day.)"""
    first = min(Month.of(today).shift(-ICHD3_MONTHS).first_day,
                today - timedelta(days=ROLLING_DAYS - 1))
    return first, today


def baseline_start(sessions: Iterable[SessionFacts], today: date) -> date | None:
    """The first day the progress figures read: 28 days before the first session that counts."""
    first = first_session_date(sessions, today)
    return first - timedelta(days=PERIOD_DAYS) if first else None


def effects_window(sessions: Iterable[SessionFacts], window: int, today: date) -> tuple[date, date] | None:
    """The days the session effects read: `window` days before the first session that counts and
    after the last (at least to S+7, for prolonged soreness), up to today (None without one)."""
    dates = [session.date for session in sessions if session.date <= today]
    if not dates:
        return None
    after = max(window, PROLONGED_TO_DAY)
    return min(dates) - timedelta(days=window), min(max(dates) + timedelta(days=after), today)
