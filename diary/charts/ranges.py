"""What a chart covers: its default range, the limits of a range, and the days it reads.

Three kinds of range, one per kind of chart:
- `Days`: a chart of days, by default the last few months up to today;
- `Months`: a chart by month, in whole months, by default the last few up to this one;
a default range starts no earlier than the diary does (its first day record or session, the
`start` the API reads), so a chart never opens on months before the patient began;
- `Sessions`: a chart of treatment sessions, the most recent ones dated from `from` to `to`.
A time chart never runs past today (days after today are not missing, they have not come yet)
and covers at most MAX_DAYS days.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar

from .. import clinical
from ..clinical import DayFacts, MonthRow, SessionEffect, SessionFacts
from ..clinical.effects import DEFAULT_WINDOW, MAX_WINDOW, MIN_WINDOW
from ..clinical.periods import Month
from .words import THERAPIST, WORDS, Words, session_labels, sessions_shown_text

MAX_DAYS = 2000  # the longest range a chart draws (5 years of diary is 1,827 days)
ONE_DAY = timedelta(days=1)
Bound = date | None  # `from` or `to` of a range; None where the query leaves it open


class RangeError(ValueError):
    """A requested range the charts cannot draw; `field` names the query parameter at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ChartInput:
    """What a chart is drawn from: the facts `days_to_load` named and a resolved range."""

    days: Sequence[DayFacts]
    sessions: Sequence[SessionFacts]
    today: date
    first: Bound
    last: Bound
    window: int
    audience: str = THERAPIST  # who reads the chart (words.AUDIENCES)

    @property
    def words(self) -> Words:
        """The words of the chart's reader."""
        return WORDS[self.audience]

    @property
    def time_range(self) -> tuple[date, date]:
        """`first` and `last` of a time chart, which resolve always sets."""
        if self.first is None or self.last is None:
            raise ValueError("the range of a time chart comes from resolve")
        return self.first, self.last


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later (earlier when negative), clamped to the month's end."""
    month = Month.of(day).shift(months)
    return date(month.year, month.month, min(day.day, month.days))


def monday_of(day: date) -> date:
    """The Monday of the week of `day`."""
    return day - timedelta(days=day.weekday())


def _check_order(first: Bound, last: Bound) -> None:
    if first is not None and last is not None and first > last:
        raise RangeError("from", "`from` is after `to`.")


@dataclass(frozen=True)
class _TimeRange:
    months: int  # shown by default, up to today
    per_session: ClassVar[bool] = False  # a time chart: a range of days, no effect window

    def resolve(self, today: date, first: Bound, last: Bound, start: Bound = None) -> tuple[date, date]:
        """`first` to `last`, defaults filled in, never past today; a default `first` is no
        earlier than `start`, the diary's first day. Raises RangeError."""
        _check_order(first, last)
        last = min(last or today, today)
        if first is None:
            first = self._default_first(last)
            if start is not None and start <= last:
                first = max(first, start)
        first = self._start(first)
        if first > last:
            raise RangeError("from", "`from` is after today.")
        if (last - first).days + 1 > MAX_DAYS:
            raise RangeError("from", f"Ask for at most {MAX_DAYS} days at a time.")
        return first, last

    def days_to_load(self, first: Bound, last: Bound, *_sessions_today_window) -> tuple[date, date]:
        """The dates whose day records the chart reads: the range's own (the sessions, today and
        the window, which Sessions.days_to_load also takes, change nothing here)."""
        if first is None or last is None:
            raise ValueError("the range of a time chart comes from resolve")
        return self._load_from(first), last

    def _default_first(self, last: date) -> date:
        raise NotImplementedError

    def _start(self, first: date) -> date:
        return first

    def _load_from(self, first: date) -> date:
        return first


@dataclass(frozen=True)
class Days(_TimeRange):
    """A chart of days: by default the `months` months up to today."""

    whole_weeks: bool = False  # reads from the Monday of the first week shown

    def _default_first(self, last: date) -> date:
        return add_months(last, -self.months) + ONE_DAY

    def _load_from(self, first: date) -> date:
        return monday_of(first) if self.whole_weeks else first


@dataclass(frozen=True)
class Months(_TimeRange):
    """A chart by month: whole months, by default the `months` months up to this one."""

    def _default_first(self, last: date) -> date:
        return Month.of(last).shift(1 - self.months).first_day

    def _start(self, first: date) -> date:
        return Month.of(first).first_day


@dataclass(frozen=True)
class Sessions:
    """A chart of sessions: the `latest` sessions dated from `first` to `last` (each bound open
    when not given), each with the days of its effect window around it."""

    latest: int
    per_session: ClassVar[bool] = True  # a chart of sessions, each with its effect window

    def resolve(self, today: date, first: Bound, last: Bound, start: Bound = None) -> tuple[Bound, Bound]:
        """`first` and `last` as given (`start` plays no part: the latest sessions are shown).
        Raises RangeError when they are out of order."""
        _check_order(first, last)
        return first, last

    def shown(self, sessions: Iterable[SessionFacts], first: Bound, last: Bound) -> list[SessionFacts]:
        """The sessions the chart draws: those in the range, the most recent `latest`."""
        return _in_range(sorted(sessions, key=lambda s: s.date), first, last)[-self.latest :]

    def days_to_load(
        self,
        first: Bound,
        last: Bound,
        sessions: Sequence[SessionFacts],
        today: date,
        window: int = DEFAULT_WINDOW,
    ) -> tuple[date, date] | None:
        """The dates around the shown sessions, or None when there is no session to show."""
        chosen = self.shown(sessions, first, last)
        return clinical.effects_window(chosen, window, today) if chosen else None

    def effects(self, given: ChartInput) -> ShownEffects:
        """The effects of the shown sessions, oldest first, with their labels and how many they are
        of the sessions in range."""
        wanted = {s.id for s in self.shown(given.sessions, given.first, given.last)}
        # Every session goes in: the next session cuts a session's after window short.
        effects = sorted(
            (
                e
                for e in clinical.session_effects(given.days, given.sessions, given.today, given.window)
                if e.session_id in wanted
            ),
            key=lambda e: e.date,
        )
        return ShownEffects(
            effects,
            session_labels([e.date for e in effects], given.today),
            sessions_shown_text(len(effects), len(_in_range(given.sessions, given.first, given.last))),
        )


@dataclass(frozen=True)
class ShownEffects:
    """What a chart of sessions draws: the effects of its sessions, and the words for them."""

    effects: list[SessionEffect]  # oldest first
    labels: list[str]  # each session's short label (words.session_labels)
    about: str  # how many sessions are shown of those in range (words.sessions_shown_text)

    @property
    def span(self) -> tuple[Bound, Bound]:
        """The first and the last shown session's dates; None and None without any."""
        if not self.effects:
            return None, None
        return self.effects[0].date, self.effects[-1].date


def parameters_text(chart_range: Days | Months | Sessions) -> str:
    """A range's query parameters, for the API description."""
    if isinstance(chart_range, Sessions):
        window = f"`window` {MIN_WINDOW}-{MAX_WINDOW} days"
        return f"sessions from `from` to `to`, the latest {chart_range.latest}; {window}"
    default = f"default the last {chart_range.months} months, from the diary's first day at the earliest"
    return f"`from`/`to`, {default}"


def _in_range(sessions: Iterable[SessionFacts], first: Bound, last: Bound) -> list[SessionFacts]:
    return [s for s in sessions if (first is None or s.date >= first) and (last is None or s.date <= last)]


# -- Days that have come, for "not logged" counts -----------------------------------------------


def elapsed_between(first: date, last: date, today: date) -> int:
    """Days from `first` to `last` that have come by today."""
    return max(0, (min(last, today) - first).days + 1)


def elapsed_days(label: str, today: date) -> int:
    """Days of the month up to today (a missing day is one that has come and was not logged)."""
    month = _month(label)
    return elapsed_between(month.first_day, month.last_day, today)


def months_span(rows: Sequence[MonthRow], today: date) -> tuple[Bound, Bound]:
    """The first day of the first month to the last day of the last one, never past today."""
    if not rows:
        return None, None
    first = _month(rows[0].month).first_day
    last = min(_month(rows[-1].month).last_day, today)
    return first, max(first, last)


def _month(label: str) -> Month:
    year, number = (int(part) for part in label.split("-"))
    return Month(year, number)
