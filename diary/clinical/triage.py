"""One patient's line on a therapist's triage list, and the order of who needs attention first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from .days import DayFacts, Days, SessionFacts, index_days
from .effects import counted_sessions, prolonged_span, session_effects, soreness_flag
from .overuse import medication_overuse_status
from .periods import period_figures
from .progress import PERIOD_DAYS, first_session_date, treatment_progress

RECENT_DAYS = 28
RED_FLAG_DAYS = 7  # a red flag reported in the last 7 days puts the patient first
STATUS_RANK = {"ichd3_pattern": 3, "overuse": 2, "approaching": 1, "none": 0, "not_enough_diary": 0}


@dataclass(frozen=True, slots=True)
class TriageFigures:
    days_logged_28: int
    headache_days_28: int
    medication_overuse_status: str
    # Soreness that did not settle after a session of the last 28 days: True when any did; else
    # the latest such session's flag (None: too early, or no scores); False without one.
    prolonged_soreness: bool | None
    change_pct: float | None  # headache days of the latest complete 28-day period vs baseline


def triage_figures(days: Iterable[DayFacts], sessions: Iterable[SessionFacts], today: date) -> TriageFigures:
    """The figures of one line, from the patient's days and sessions: the definition that
    queries.triage computes with counts in SQL (tests/test_triage.py checks they agree)."""
    index = index_days(days)
    counted = counted_sessions(sessions, today)
    recent = period_figures(index, today - timedelta(days=RECENT_DAYS - 1), today)
    progress = treatment_progress(index, counted, today)
    return TriageFigures(
        days_logged_28=recent.days_logged,
        headache_days_28=recent.headache_days,
        medication_overuse_status=medication_overuse_status(index, today).status,
        prolonged_soreness=recent_prolonged_soreness(index, counted, today),
        # A period of a few days says little: the list shows the latest complete one.
        change_pct=next((p.change_pct for p in reversed(progress.periods) if p.complete), None),
    )


def combined_soreness_flag(flags: list[bool | None]) -> bool | None:
    """The list's one flag from the recent sessions' flags (oldest first)."""
    if any(flag is True for flag in flags):
        return True
    return flags[-1] if flags else False


def attention_key(
    figures: TriageFigures, next_review_on: date | None, name: str, red_flag_on: date | None = None
) -> tuple:
    """Sort key: a red flag of the last 7 days first (the latest first), then medication
    overuse, then soreness that did not settle, then worsening headaches, then the soonest
    review."""
    worsening = figures.change_pct is not None and figures.change_pct > 0
    return (
        red_flag_on is None,
        -(red_flag_on.toordinal() if red_flag_on else 0),
        -STATUS_RANK[figures.medication_overuse_status],
        figures.prolonged_soreness is not True,
        not worsening,
        next_review_on or date.max,
        name.casefold(),
    )


def recent_prolonged_soreness(days: Days, sessions: Iterable[SessionFacts], today: date) -> bool | None:
    """Section 6's prolonged soreness of the sessions of the last 28 days, combined into one flag."""
    recent_from = today - timedelta(days=RECENT_DAYS - 1)
    return combined_soreness_flag(
        [
            effect.prolonged_soreness
            for effect in session_effects(days, sessions, today)
            if effect.date >= recent_from
        ]
    )


def recent_soreness_spans(sessions: Iterable[SessionFacts], today: date) -> list[tuple[date, date, date]]:
    """The prolonged-soreness spans (first, last, end: effects.prolonged_span) that
    recent_prolonged_soreness reads, one per date with a session of the last 28 days, oldest
    first: for a caller that finds the highest score of each span in SQL."""
    dates = sorted({session.date for session in sessions if session.date <= today})
    following = dict(zip(dates, dates[1:]))
    recent_from = today - timedelta(days=RECENT_DAYS - 1)
    return [prolonged_span(day, following.get(day), today) for day in dates if day >= recent_from]


def prolonged_soreness_of_spans(
    highest: Iterable[int | None], spans: Iterable[tuple[date, date, date]], today: date
) -> bool | None:
    """recent_prolonged_soreness from the highest score of each of recent_soreness_spans (None: no
    score in the span). Sessions on one date share one span, and so one flag."""
    return combined_soreness_flag(
        [soreness_flag(score, end, today) for score, (_, _, end) in zip(highest, spans, strict=True)]
    )


def soreness_facts(soreness: Mapping[date, int]) -> list[DayFacts]:
    """Soreness scores by date as day facts (the only facts the soreness flag reads)."""
    return [
        DayFacts(
            date=day,
            headache_count=0,
            peak_intensity=0,
            drug_classes=frozenset(),
            soreness=score,
            logged=False,
        )
        for day, score in soreness.items()
    ]


def latest_complete_period(sessions: Iterable[SessionFacts], today: date) -> tuple[date, date] | None:
    """The latest complete 28-day period since the first session (section 5), if any: a period
    is complete once its last day is before today."""
    first = first_session_date(sessions, today)
    if first is None:
        return None
    complete = (today - first).days // PERIOD_DAYS
    if complete < 1:
        return None
    start = first + timedelta(days=PERIOD_DAYS * (complete - 1))
    return start, start + timedelta(days=PERIOD_DAYS - 1)
