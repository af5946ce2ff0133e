"""Effect of each treatment session: the days before and after it, and soreness (section 6).

Result dataclasses name their range `from_date` / `to_date`; the schemas map them to the
API's ``from`` / ``to``. Decisions where the rules leave room:
- The after window of a session on S ends the day before the first session dated later
  than S. Another session on the same date S does not cut it: both get the same windows.
- When the next session is on S+1 the after window is empty. It is still reported, as
  from S+1 to S (to_date one day before from_date, zero days), with nothing logged.
- The before window is never cut by an earlier session; it may overlap that session's after
  window, as the rules define it.
- Effects come in date order; sessions on one date keep the order they were given in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .days import DayFacts, Days, SessionFacts, index_days
from .periods import figures_of_days

DEFAULT_WINDOW = 14
MIN_WINDOW = 1
MAX_WINDOW = 56
RESOLVED_SORENESS = 1  # soreness 0 or 1 counts as settled
PROLONGED_FROM_DAY = 4  # post-needling soreness normally settles within 2-3 days
PROLONGED_SORENESS = 4


@dataclass(frozen=True, slots=True)
class EffectWindow:
    """One side (before or after) of a session (API: before, after)."""

    from_date: date
    to_date: date
    days_logged: int
    headache_days: int
    mean_peak_intensity: float | None
    acute_medication_days: int
    max_soreness: int | None


@dataclass(frozen=True, slots=True)
class SessionEffect:
    """The effect of one treatment session (API: effects[])."""

    session_id: str
    date: date
    before: EffectWindow
    after: EffectWindow
    soreness_resolved_day: int | None
    prolonged_soreness: bool


def session_effects(
    days: Days, sessions: Iterable[SessionFacts], window: int = DEFAULT_WINDOW
) -> list[SessionEffect]:
    """Before/after figures and soreness of every session, in date order; window 1-56 days."""
    if isinstance(window, bool) or not isinstance(window, int):
        raise ValueError("window must be a whole number of days")
    if not MIN_WINDOW <= window <= MAX_WINDOW:
        raise ValueError(f"window must be from {MIN_WINDOW} to {MAX_WINDOW} days")
    index = index_days(days)
    ordered = sorted(sessions, key=_date_of)
    distinct_dates = sorted({session.date for session in ordered})
    next_date = dict(zip(distinct_dates, distinct_dates[1:]))
    span = timedelta(days=window)
    one_day = timedelta(days=1)
    effects = []
    for session in ordered:
        day = session.date
        after_end = day + span
        following = next_date.get(day)
        if following is not None and following <= after_end:
            after_end = following - one_day
        before_start, before_end = day - span, day - one_day
        after_days = index.between(day + one_day, after_end)
        effects.append(
            SessionEffect(
                session_id=session.id,
                date=day,
                before=effect_window(
                    index.between(before_start, before_end), before_start, before_end),
                after=effect_window(after_days, day + one_day, after_end),
                soreness_resolved_day=soreness_resolved_day(after_days, day),
                prolonged_soreness=has_prolonged_soreness(after_days, day),
            )
        )
    return effects


def effect_window(days: Sequence[DayFacts], from_date: date, to_date: date) -> EffectWindow:
    """Figures of one side of a session from its logged days, with the highest soreness."""
    figures = figures_of_days(days, from_date, to_date)
    soreness = [day.soreness for day in days if day.soreness is not None]
    return EffectWindow(
        from_date=from_date,
        to_date=to_date,
        days_logged=figures.days_logged,
        headache_days=figures.headache_days,
        mean_peak_intensity=figures.mean_peak_intensity,
        acute_medication_days=figures.acute_medication_days,
        max_soreness=max(soreness, default=None),
    )


def soreness_resolved_day(after_days: Sequence[DayFacts], session_date: date) -> int | None:
    """The smallest d >= 1 whose day S+d in the after window is logged with soreness 0 or 1."""
    for day in after_days:
        if day.soreness is not None and day.soreness <= RESOLVED_SORENESS:
            return (day.date - session_date).days
    return None


def has_prolonged_soreness(after_days: Sequence[DayFacts], session_date: date) -> bool:
    """True when a logged day from S+4 to the end of the after window has soreness 4 or more."""
    first_flagged = session_date + timedelta(days=PROLONGED_FROM_DAY)
    return any(
        day.date >= first_flagged
        and day.soreness is not None
        and day.soreness >= PROLONGED_SORENESS
        for day in after_days
    )


def _date_of(session: SessionFacts) -> date:
    return session.date
