"""Which days each rule reads, so a caller loads only those (and never a query per day)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from .days import SessionFacts
from .effects import DEFAULT_WINDOW, MAX_WINDOW, PROLONGED_TO_DAY
from .overuse import ICHD3_MONTHS, ROLLING_DAYS
from .periods import Month
from .progress import PERIOD_DAYS, first_session_date
from .triage import RECENT_DAYS, latest_complete_period

DateRange = tuple[date, date]


def overuse_window(today: date) -> tuple[date, date]:
    """The days the medication-overuse status reads: the rolling 30 days and the last three
    complete months. The count of overuse months in a row reads further back only when all
    three are overuse months: a shorter count is exact from these days alone."""
    first = min(Month.of(today).shift(-ICHD3_MONTHS).first_day, today - timedelta(days=ROLLING_DAYS - 1))
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


def last_days_window(today: date) -> DateRange:
    """The last 28 days, today included."""
    return today - timedelta(days=RECENT_DAYS - 1), today


def follow_up_ranges(sessions: Iterable[SessionFacts], today: date) -> list[DateRange]:
    """The days the follow-up summary reads, merged and in date order: the overuse window, the
    baseline and the latest complete 28-day period, and 56 days either side of the last session
    before today and before today (its effect, since it and the days before it)."""
    sessions = list(sessions)
    ranges = [overuse_window(today)]
    first = baseline_start(sessions, today)
    if first is not None:
        ranges.append((first, first + timedelta(days=PERIOD_DAYS - 1)))
    latest = latest_complete_period(sessions, today)
    if latest is not None:
        ranges.append(latest)
    earlier = [session.date for session in sessions if session.date < today]
    if earlier:
        last, span = max(earlier), timedelta(days=MAX_WINDOW)
        ranges += [(last - span, min(last + span, today)), (today - span, today)]
    return merged(ranges)


def picture_ranges(sessions: Iterable[SessionFacts], today: date) -> list[DateRange]:
    """The days a patient's whole picture reads (queries.patient_picture): the follow-up
    summary's, the last 28 days, the progress from the baseline to today and every session's
    effect with the default window."""
    sessions = list(sessions)
    ranges = [*follow_up_ranges(sessions, today), last_days_window(today)]
    first = baseline_start(sessions, today)
    if first is not None:
        ranges.append((first, today))
    effects = effects_window(sessions, DEFAULT_WINDOW, today)
    if effects is not None:
        ranges.append(effects)
    return merged(ranges)


def merged(ranges: Iterable[DateRange]) -> list[DateRange]:
    """Date ranges (first, last inclusive) as few as possible: overlapping or adjacent ones
    joined, in date order."""
    result: list[DateRange] = []
    for first, last in sorted(ranges):
        if result and first <= result[-1][1] + timedelta(days=1):
            result[-1] = (result[-1][0], max(result[-1][1], last))
        else:
            result.append((first, last))
    return result
