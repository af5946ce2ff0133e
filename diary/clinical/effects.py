"""Effect of each treatment session: the days before and after it, and soreness (section 6).

Result dataclasses name their range `from_date` / `to_date`; the schemas map them to the
API's ``from`` / ``to``. Sessions dated after today count nowhere; sessions on one date count
as one (they get the same windows). Decisions where the rules leave room:
- When the neighbouring session is on the next (or previous) day, a window is empty. It is
  still reported, e.g. the after window as from S+1 to S (zero days), with nothing logged.
- Effects come in date order; sessions on one date keep the order they were given in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .days import DayFacts, DayIndex, Days, SessionFacts, index_days
from .periods import figures_of_days, headache_days_per_28, rounded

DEFAULT_WINDOW = 14
MIN_WINDOW = 1
MAX_WINDOW = 56
RESOLVED_SORENESS = 1  # soreness 0 or 1 counts as settled
PROLONGED_FROM_DAY = 4  # post-needling soreness normally settles within 2-3 days
PROLONGED_TO_DAY = 7
PROLONGED_SORENESS = 4
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class EffectWindow:
    """One side (before or after) of a session (API: before, after)."""

    from_date: date
    to_date: date
    days_logged: int
    headache_days: int
    headache_days_per_28: float | None  # None when fewer than half of the side's days are logged
    mean_peak_intensity: float | None
    acute_medication_days: int
    max_soreness: int | None
    complete: bool  # the window's last day is before today

    @property
    def days(self) -> int:
        """How many calendar days the window spans, logged or not."""
        return (self.to_date - self.from_date).days + 1


@dataclass(frozen=True, slots=True)
class SessionEffect:
    """The effect of one treatment session (API: effects[])."""

    session_id: str
    date: date
    before: EffectWindow
    after: EffectWindow
    soreness_resolved_day: int | None
    prolonged_soreness: bool | None  # None: too early to tell, or no soreness recorded


def check_window(window: int) -> None:
    """A window is a whole number of days from 1 to 56."""
    if isinstance(window, bool) or not isinstance(window, int):
        raise ValueError("window must be a whole number of days")
    if not MIN_WINDOW <= window <= MAX_WINDOW:
        raise ValueError(f"window must be from {MIN_WINDOW} to {MAX_WINDOW} days")


def counted_sessions(sessions: Iterable[SessionFacts], today: date) -> list[SessionFacts]:
    """The sessions that count for figures: dated today or earlier, in date order."""
    return sorted((s for s in sessions if s.date <= today), key=_date_of)


def session_effects(
    days: Days, sessions: Iterable[SessionFacts], today: date, window: int = DEFAULT_WINDOW
) -> list[SessionEffect]:
    """Before/after figures and soreness of every session dated today or earlier, in date
    order; window 1-56 days."""
    check_window(window)
    index = index_days(days)
    ordered = counted_sessions(sessions, today)
    dates = sorted({session.date for session in ordered})
    previous = dict(zip(dates[1:], dates))
    following = dict(zip(dates, dates[1:]))
    return [
        session_effect(index, session, previous.get(session.date), following.get(session.date), today, window)
        for session in ordered
    ]


def session_effect(
    index: DayIndex,
    session: SessionFacts,
    previous: date | None,
    following: date | None,
    today: date,
    window: int = DEFAULT_WINDOW,
) -> SessionEffect:
    """The effect of one session, given the dates of the sessions just before and after it."""
    day = session.date
    span = timedelta(days=window)
    before_start, after_end = day - span, day + span
    if previous is not None and previous >= before_start:
        before_start = previous + _ONE_DAY
    if following is not None and following <= after_end:
        after_end = following - _ONE_DAY
    after_days = index.between(day + _ONE_DAY, min(after_end, today))
    span_first, span_last, prolonged_end = prolonged_span(day, following, today)
    return SessionEffect(
        session_id=session.id,
        date=day,
        before=effect_window(
            index.between(before_start, day - _ONE_DAY), before_start, day - _ONE_DAY, today
        ),
        after=effect_window(after_days, day + _ONE_DAY, after_end, today),
        soreness_resolved_day=soreness_resolved_day(after_days, day),
        prolonged_soreness=prolonged_soreness(index.between(span_first, span_last), prolonged_end, today),
    )


def effect_window(days: Sequence[DayFacts], from_date: date, to_date: date, today: date) -> EffectWindow:
    """Figures of one side of a session from its records up to today, with the highest soreness."""
    figures = figures_of_days(days, from_date, to_date)
    half = (figures.days + 1) // 2  # at least half of the side's days
    soreness = [day.soreness for day in days if day.soreness is not None]
    return EffectWindow(
        from_date=from_date,
        to_date=to_date,
        days_logged=figures.days_logged,
        headache_days=figures.headache_days,
        headache_days_per_28=rounded(headache_days_per_28(figures.headache_days, figures.days_logged, half)),
        mean_peak_intensity=figures.mean_peak_intensity,
        acute_medication_days=figures.acute_medication_days,
        max_soreness=max(soreness, default=None),
        complete=to_date < today,
    )


def soreness_resolved_day(after_days: Sequence[DayFacts], session_date: date) -> int | None:
    """The smallest d >= 1 whose day S+d in the after window has soreness 0 or 1."""
    for day in after_days:
        if day.soreness is not None and day.soreness <= RESOLVED_SORENESS:
            return (day.date - session_date).days
    return None


def prolonged_span(session_date: date, following: date | None, today: date) -> tuple[date, date, date]:
    """The days whose soreness says whether a session's soreness was prolonged: S+4 to S+7, cut
    short the day before the next session (`following`). As (first, last, end): the records
    are read from `first` to `last` (`end`, or today while `end` is to come)."""
    end = session_date + timedelta(days=PROLONGED_TO_DAY)
    if following is not None:
        end = min(end, following - _ONE_DAY)
    return session_date + timedelta(days=PROLONGED_FROM_DAY), min(end, today), end


def prolonged_soreness(span_days: Sequence[DayFacts], span_end: date, today: date) -> bool | None:
    """From the records of S+4 to S+7 (cut short the day before the next session): True when one
    has soreness 4 or more; False when the span is all before today and holds a score, none 4
    or more; None otherwise (too early, or nothing recorded)."""
    scores = [day.soreness for day in span_days if day.soreness is not None]
    return soreness_flag(max(scores, default=None), span_end, today)


def soreness_flag(highest: int | None, span_end: date, today: date) -> bool | None:
    """prolonged_soreness from the highest score of the span's records alone (None: no score)."""
    if highest is not None and highest >= PROLONGED_SORENESS:
        return True
    if span_end < today and highest is not None:
        return False
    return None


def _date_of(session: SessionFacts) -> date:
    return session.date
