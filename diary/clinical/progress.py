"""Progress against the 28-day baseline before the first treatment session (section 5).

Result dataclasses name their range `from_date` / `to_date`; the schemas map them to the
API's ``from`` / ``to``. Headache days are compared per 28 days, and only where the diary can
tell: a baseline or period with fewer than 14 logged days has no per-28 figure, an
incomplete period has no change, and a baseline under 4 headache days per 28 has no
responder flags (a halving of so few days means little).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from .days import DayIndex, Days, SessionFacts, index_days
from .periods import PER_DAYS, PeriodFigures, headache_days_per_28, period_figures, round_half_up, rounded

PERIOD_DAYS = PER_DAYS
MIN_LOGGED_DAYS = 14  # of a baseline or period's 28, for a per-28 figure (the diary's own floor)
MIN_BASELINE_PER_28 = 4  # for responder flags (the diary's own floor)
RESPONDER_50_PCT = -50
RESPONDER_30_PCT = -30


@dataclass(frozen=True, slots=True)
class Baseline:
    """The 28 days before the first session (API: baseline)."""

    from_date: date
    to_date: date
    days_logged: int
    headache_days: int
    headache_days_per_28: float | None  # 1 decimal; None with fewer than 14 logged days
    moderate_severe_days: int
    acute_medication_days: int
    mean_peak_intensity: float | None


@dataclass(frozen=True, slots=True)
class ProgressPeriod:
    """One 28-day period from the first session, against the baseline."""

    index: int
    from_date: date
    to_date: date
    complete: bool  # its last day is before today
    days_logged: int
    headache_days: int
    headache_days_per_28: float | None
    moderate_severe_days: int
    acute_medication_days: int
    mean_peak_intensity: float | None
    change_pct: float | None
    responder_50: bool | None
    responder_30: bool | None


@dataclass(frozen=True, slots=True)
class Progress:
    """The first session that counts, its baseline, and the periods up to today (None and
    empty without a session dated today or earlier)."""

    first_session_date: date | None
    baseline: Baseline | None
    periods: tuple[ProgressPeriod, ...]


def per_28(headache_days: int, days_logged: int) -> Fraction | None:
    """Exact headache days per 28 days of a baseline or period: None under 14 logged days."""
    return headache_days_per_28(headache_days, days_logged, MIN_LOGGED_DAYS)


def headache_days_change_pct(
    period_headache_days: int, period_days_logged: int, baseline_headache_days: int, baseline_days_logged: int
) -> float | None:
    """Change of headache days per 28 against the baseline, in percent, from the exact figures,
    rounded half away from zero to 1 decimal. None when either per-28 figure is None or the
    baseline's is 0. (Whether the period is complete is the caller's business.)"""
    period, baseline = (
        per_28(period_headache_days, period_days_logged),
        per_28(baseline_headache_days, baseline_days_logged),
    )
    if period is None or baseline is None or baseline == 0:
        return None
    change = 100 * (period - baseline) / baseline
    return round_half_up(change.numerator, change.denominator, 1)


def responder(change_pct: float | None, threshold_pct: int, baseline: Fraction | None) -> bool | None:
    """True when the rounded change is threshold_pct or less; None without a change, or when the
    baseline has fewer than 4 headache days per 28."""
    if change_pct is None or baseline is None or baseline < MIN_BASELINE_PER_28:
        return None
    return change_pct <= threshold_pct


def first_session_date(sessions: Iterable[SessionFacts], today: date) -> date | None:
    """The first session that counts: the earliest dated today or earlier."""
    return min((s.date for s in sessions if s.date <= today), default=None)


def treatment_progress(days: Days, sessions: Iterable[SessionFacts], today: date) -> Progress:
    """The baseline (F-28..F-1) and the 28-day periods from the first session F up to today.

    Records dated after today count nowhere: a period that runs past today reads its days up to
    today only."""
    first = first_session_date(sessions, today)
    if first is None:
        return Progress(first_session_date=None, baseline=None, periods=())
    index = index_days(days)
    base = period_figures(index, first - timedelta(days=PERIOD_DAYS), first - timedelta(days=1))
    baseline = Baseline(
        from_date=base.from_date,
        to_date=base.to_date,
        **_shown(base),
    )
    periods = []
    start = first
    while start <= today:
        end = start + timedelta(days=PERIOD_DAYS - 1)
        periods.append(_progress_period(index, len(periods) + 1, start, end, today, base))
        start = end + timedelta(days=1)
    return Progress(first_session_date=first, baseline=baseline, periods=tuple(periods))


def _shown(figures: PeriodFigures) -> dict:
    """The figures Baseline and ProgressPeriod show of a period."""
    return {
        "days_logged": figures.days_logged,
        "headache_days": figures.headache_days,
        "headache_days_per_28": rounded(per_28(figures.headache_days, figures.days_logged)),
        "moderate_severe_days": figures.moderate_severe_days,
        "acute_medication_days": figures.acute_medication_days,
        "mean_peak_intensity": figures.mean_peak_intensity,
    }


def _progress_period(
    index: DayIndex, number: int, start: date, end: date, today: date, baseline: PeriodFigures
) -> ProgressPeriod:
    figures = period_figures(index, start, min(end, today))
    complete = end < today
    change = (
        headache_days_change_pct(
            figures.headache_days, figures.days_logged, baseline.headache_days, baseline.days_logged
        )
        if complete
        else None
    )
    baseline_per_28 = per_28(baseline.headache_days, baseline.days_logged)
    return ProgressPeriod(
        index=number,
        from_date=start,
        to_date=end,
        complete=complete,
        **_shown(figures),
        change_pct=change,
        responder_50=responder(change, RESPONDER_50_PCT, baseline_per_28),
        responder_30=responder(change, RESPONDER_30_PCT, baseline_per_28),
    )
