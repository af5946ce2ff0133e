"""Input facts of the clinical engine and an index of days by date (docs/clinical-rules.md 1-3).

The query layer turns day records and sessions into these frozen dataclasses; every rule
takes them, never ORM rows. A date absent from the input, or a record that leaves the
headache question open (`logged` false), is a *missing* day for every headache figure: it is
never counted as headache-free. Such a record still counts for medication and soreness
figures: an intake or a soreness score is a fact either way.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

ACUTE_CLASSES: tuple[str, ...] = (
    "non_opioid_analgesic",
    "triptan",
    "ergot",
    "opioid",
    "combination_analgesic",
    "other_acute",
)
ALL_CLASSES: tuple[str, ...] = (*ACUTE_CLASSES, "other")

_ACUTE_SET = frozenset(ACUTE_CLASSES)
_ALL_SET = frozenset(ALL_CLASSES)


@dataclass(frozen=True, slots=True)
class DayFacts:
    """What one day record holds that the rules need."""

    date: date
    headache_count: int  # number of headaches recorded that day
    peak_intensity: int  # highest intensity of the day's headaches, 0 when none
    drug_classes: frozenset[str]  # classes of the medication intakes that day (any of ALL_CLASSES)
    soreness: int | None  # 0-10 or None
    # The record answers the headache question (had_headache true or false): only then is the
    # day logged. With no headaches, logged means a confirmed headache-free day.
    logged: bool = True


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """A treatment session: its id and date."""

    id: str
    date: date


def is_acute_medication_day(day: DayFacts) -> bool:
    """True when the day has an intake of at least one acute class (section 3)."""
    return not day.drug_classes.isdisjoint(_ACUTE_SET)


class DayIndex:
    """The day records of one patient, sorted and indexed by date, built once per request."""

    __slots__ = ("_days", "_dates", "_by_date")

    def __init__(self, days: Iterable[DayFacts]) -> None:
        ordered = sorted(days, key=_date_of)
        dates = [day.date for day in ordered]
        by_date = dict(zip(dates, ordered))
        if len(by_date) != len(ordered):
            raise ValueError("at most one day record per date")
        for day in ordered:
            _check_day(day)
        self._days: tuple[DayFacts, ...] = tuple(ordered)
        self._dates = dates
        self._by_date = by_date

    def __len__(self) -> int:
        return len(self._days)

    def __iter__(self) -> Iterator[DayFacts]:
        return iter(self._days)

    def get(self, on: date) -> DayFacts | None:
        """The day record of a date, or None when the day is missing."""
        return self._by_date.get(on)

    def between(self, first: date, last: date) -> Sequence[DayFacts]:
        """The day records from first to last inclusive, in date order (empty when last < first)."""
        if last < first:
            return ()
        return self._days[bisect_left(self._dates, first) : bisect_right(self._dates, last)]

    @property
    def first_date(self) -> date | None:
        """The earliest date with a record, None when there is none."""
        return self._dates[0] if self._dates else None


Days = Iterable[DayFacts] | DayIndex  # what every rule accepts: facts, or an index built once


def index_days(days: Days) -> DayIndex:
    """Index days by date once; an index passed in is returned as it is."""
    return days if isinstance(days, DayIndex) else DayIndex(days)


def _date_of(day: DayFacts) -> date:
    return day.date


def _check_day(day: DayFacts) -> None:
    if day.headache_count < 0:
        raise ValueError(f"{day.date}: headache_count must not be negative")
    if day.headache_count and not day.logged:
        raise ValueError(f"{day.date}: a day with headaches answers the headache question")
    if day.headache_count == 0:
        if day.peak_intensity != 0:
            raise ValueError(f"{day.date}: peak_intensity must be 0 without headaches")
    elif not 1 <= day.peak_intensity <= 10:
        raise ValueError(f"{day.date}: peak_intensity of a headache day must be 1-10")
    if not day.drug_classes <= _ALL_SET:
        unknown = ", ".join(sorted(day.drug_classes - _ALL_SET))
        raise ValueError(f"{day.date}: unknown drug class {unknown}")
    if day.soreness is not None and not 0 <= day.soreness <= 10:
        raise ValueError(f"{day.date}: soreness must be 0-10 or None")
