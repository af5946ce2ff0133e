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
# Days a triage line reads back from today: the last three complete months and the rolling 30
# days of the overuse status (at most 3 x 31 + 30), and the sessions of the last 28 days with
# their 14-day after windows.
TRIAGE_LOOKBACK_DAYS = 125
STATUS_RANK = {"ichd3_pattern": 3, "overuse": 2, "approaching": 1, "none": 0}


@dataclass(frozen=True, slots=True)
class TriageFigures:
    days_logged_28: int
    headache_days_28: int
    medication_overuse_status: str
    prolonged_soreness: bool
    change_pct: float | None  # headache days of the latest complete 28-day period vs baseline


def triage_figures(days: Iterable[DayFacts], sessions: Iterable[SessionFacts], today: date) -> TriageFigures:
    """The figures of one line; `days` must cover TRIAGE_LOOKBACK_DAYS and the baseline."""
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


def recent_range(today: date) -> tuple[date, date]:
    """The recent days a triage line reads (overuse months, the last 28 days, recent sessions)."""
    return today - timedelta(days=TRIAGE_LOOKBACK_DAYS), today


def baseline_range(sessions: Iterable[SessionFacts], today: date) -> tuple[date, date] | None:
    """The baseline days a triage line reads too, when they lie before the recent days."""
    dates = [s.date for s in sessions]
    if not dates:
        return None
    first = min(dates)
    baseline = (first - timedelta(days=PERIOD_DAYS), first - timedelta(days=1))
    return baseline if baseline[0] < recent_range(today)[0] else None


def attention_key(figures: TriageFigures, next_review_on: date | None, name: str) -> tuple:
    """Sort key: medication overuse first, then soreness that did not settle, then worsening
    headaches, then the soonest review."""
    worsening = figures.change_pct is not None and figures.change_pct > 0
    return (-STATUS_RANK[figures.medication_overuse_status], not figures.prolonged_soreness,
            not worsening, next_review_on or date.max, name.casefold())
