"""Progress against the 28-day baseline before the first treatment session (section 5).

Result dataclasses name their range `from_date` / `to_date`; the schemas map them to the
API's ``from`` / ``to``. `change_pct` is rounded with decimal ROUND_HALF_UP (halves away
from zero) to one decimal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .days import DayIndex, Days, SessionFacts, index_days
from .periods import PeriodFigures, period_figures, round_half_up

PERIOD_DAYS = 28
RESPONDER_50_PCT = -50
RESPONDER_30_PCT = -30


@dataclass(frozen=True, slots=True)
class ProgressPeriod:
    """One 28-day period from the first session, against the baseline."""

    index: int
    from_date: date
    to_date: date
    complete: bool
    days_logged: int
    headache_days: int
    moderate_severe_days: int
    acute_medication_days: int
    mean_peak_intensity: float | None
    change_pct: float | None
    responder_50: bool | None
    responder_30: bool | None


@dataclass(frozen=True, slots=True)
class Progress:
    """The baseline (None without a session) and the periods up to today."""

    baseline: PeriodFigures | None
    periods: tuple[ProgressPeriod, ...]


def headache_days_change_pct(period_days: int, baseline_days: int) -> float | None:
    """Change of headache days against the baseline, percent to 1 decimal; None from 0."""
    if baseline_days == 0:
        return None
    return round_half_up(100 * (period_days - baseline_days), baseline_days, 1)


def is_responder(change_pct: float | None, threshold_pct: int, complete: bool) -> bool | None:
    """True when the change is threshold_pct or less; None when incomplete or without a change."""
    if not complete or change_pct is None:
        return None
    # The shown (rounded) change decides: with baselines of at most 28 days the exact change is
    # never within 0.05 of -30 or -50 without being on it, so rounding cannot flip a flag.
    return change_pct <= threshold_pct


def treatment_progress(days: Days, sessions: Iterable[SessionFacts], today: date) -> Progress:
    """The baseline (F-28..F-1) and the 28-day periods from the first session F up to today."""
    session_dates = [session.date for session in sessions]
    if not session_dates:
        return Progress(baseline=None, periods=())
    index = index_days(days)
    first_session = min(session_dates)
    baseline = period_figures(
        index, first_session - timedelta(days=PERIOD_DAYS), first_session - timedelta(days=1))
    periods = []
    start = first_session
    while start <= today:
        end = start + timedelta(days=PERIOD_DAYS - 1)
        periods.append(_progress_period(index, len(periods) + 1, start, end, today, baseline))
        start = end + timedelta(days=1)
    return Progress(baseline=baseline, periods=tuple(periods))


def _progress_period(
    index: DayIndex, number: int, start: date, end: date, today: date, baseline: PeriodFigures
) -> ProgressPeriod:
    figures = period_figures(index, start, end)
    complete = end <= today
    change = headache_days_change_pct(figures.headache_days, baseline.headache_days)
    return ProgressPeriod(
        index=number,
        from_date=start,
        to_date=end,
        complete=complete,
        days_logged=figures.days_logged,
        headache_days=figures.headache_days,
        moderate_severe_days=figures.moderate_severe_days,
        acute_medication_days=figures.acute_medication_days,
        mean_peak_intensity=figures.mean_peak_intensity,
        change_pct=change,
        responder_50=is_responder(change, RESPONDER_50_PCT, complete),
        responder_30=is_responder(change, RESPONDER_30_PCT, complete),
    )
