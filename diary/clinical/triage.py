"""One patient's line on a therapist's triage list, and the order of who needs attention first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .days import DayFacts, SessionFacts, index_days
from .effects import session_effects
from .overuse import medication_overuse_status
from .periods import period_figures
from .progress import PERIOD_DAYS, treatment_progress

RECENT_DAYS = 28
STATUS_RANK = {"ichd3_pattern": 3, "overuse": 2, "approaching": 1, "none": 0}


@dataclass(frozen=True, slots=True)
class TriageFigures:
    days_logged_28: int
    headache_days_28: int
    medication_overuse_status: str
    prolonged_soreness: bool
    change_pct: float | None  # headache days of the latest complete 28-day period vs baseline


def triage_figures(days: Iterable[DayFacts], sessions: Iterable[SessionFacts], today: date) -> TriageFigures:
    """The figures of one line, from the patient's days and sessions: the definition that
    queries.triage computes with counts in SQL (tests/test_triage.py checks they agree)."""
    index = index_days(days)
    sessions = sorted(sessions, key=lambda s: s.date)
    recent = period_figures(index, today - timedelta(days=RECENT_DAYS - 1), today)
    # Soreness that did not settle after a session of the last 28 days (a later session, even
    # a future one, still cuts that session's after window).
    recent_from = today - timedelta(days=RECENT_DAYS)
    recent_ids = {s.id for s in sessions if recent_from <= s.date <= today}
    prolonged = any(effect.prolonged_soreness for effect in session_effects(
        index, [s for s in sessions if s.date >= recent_from]) if effect.session_id in recent_ids)
    progress = treatment_progress(index, sessions, today)
    return TriageFigures(
        days_logged_28=recent.days_logged,
        headache_days_28=recent.headache_days,
        medication_overuse_status=medication_overuse_status(index, today).status,
        prolonged_soreness=prolonged,
        # A period of a few days says little: the list shows the latest complete one.
        change_pct=next((p.change_pct for p in reversed(progress.periods) if p.complete), None),
    )


def attention_key(figures: TriageFigures, next_review_on: date | None, name: str) -> tuple:
    """Sort key: medication overuse first, then soreness that did not settle, then worsening
    headaches, then the soonest review."""
    worsening = figures.change_pct is not None and figures.change_pct > 0
    return (-STATUS_RANK[figures.medication_overuse_status], not figures.prolonged_soreness,
            not worsening, next_review_on or date.max, name.casefold())


def recent_sessions_with_prolonged_soreness(sore_days: Iterable[date], sessions: Iterable[SessionFacts],
                                            today: date) -> bool:
    """Section 6's prolonged soreness for the sessions of the last 28 days, from the dates that
    were logged with soreness 4 or more (the only days the flag depends on)."""
    from .effects import DEFAULT_WINDOW, PROLONGED_FROM_DAY

    sore = set(sore_days)
    dates = sorted({s.date for s in sessions})
    for i, session_day in enumerate(dates):
        if not today - timedelta(days=RECENT_DAYS) <= session_day <= today:
            continue
        end = session_day + timedelta(days=DEFAULT_WINDOW)
        if i + 1 < len(dates) and dates[i + 1] <= end:
            end = dates[i + 1] - timedelta(days=1)
        first = session_day + timedelta(days=PROLONGED_FROM_DAY)
        if any(first <= day <= end for day in sore):
            return True
    return False


def latest_complete_period(sessions: Iterable[SessionFacts], today: date) -> tuple[date, date] | None:
    """The latest complete 28-day period since the first session (section 5), if any."""
    dates = [s.date for s in sessions]
    if not dates:
        return None
    first = min(dates)
    complete = ((today - first).days + 1) // PERIOD_DAYS
    if complete < 1:
        return None
    start = first + timedelta(days=PERIOD_DAYS * (complete - 1))
    return start, start + timedelta(days=PERIOD_DAYS - 1)
