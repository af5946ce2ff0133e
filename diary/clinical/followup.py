"""The pre-follow-up summary a therapist reads before seeing a patient again.

Since the last session S (S+1 to today) against the same number of days just before S
(capped at 56 days, the longest effect window of section 6); the latest 28-day period
against the baseline; and the medication-overuse status. Built from the same rules as every
other figure: nothing here counts a day differently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .days import DayFacts, SessionFacts, index_days
from .effects import MAX_WINDOW, EffectWindow, effect_window, has_prolonged_soreness, soreness_resolved_day
from .overuse import MedicationOveruseStatus, medication_overuse_status
from .progress import ProgressPeriod, treatment_progress
from .periods import PeriodFigures


@dataclass(frozen=True, slots=True)
class FollowUpSummary:
    last_session: SessionFacts | None
    days_since_last_session: int | None
    since_last_session: EffectWindow | None
    before_last_session: EffectWindow | None
    soreness_resolved_day: int | None
    prolonged_soreness: bool
    baseline: PeriodFigures | None
    latest_period: ProgressPeriod | None
    overuse: MedicationOveruseStatus


def follow_up_summary(days: Iterable[DayFacts], sessions: Iterable[SessionFacts], today: date) -> FollowUpSummary:
    """Everything the summary page shows, for a patient as of today."""
    index = index_days(days)
    sessions = sorted(sessions, key=lambda s: s.date)
    past = [s for s in sessions if s.date <= today]
    progress = treatment_progress(index, past, today)
    latest = progress.periods[-1] if progress.periods else None
    overuse = medication_overuse_status(index, today)
    if not past:
        return FollowUpSummary(None, None, None, None, None, False, progress.baseline, latest, overuse)
    last = past[-1]
    since_days = (today - last.date).days
    span = timedelta(days=min(max(since_days, 1), MAX_WINDOW))
    one_day = timedelta(days=1)
    after_days = index.between(last.date + one_day, today)
    before_from, before_to = last.date - span, last.date - one_day
    return FollowUpSummary(
        last_session=last,
        days_since_last_session=since_days,
        since_last_session=effect_window(after_days, last.date + one_day, today) if since_days else None,
        before_last_session=effect_window(index.between(before_from, before_to), before_from, before_to),
        soreness_resolved_day=soreness_resolved_day(after_days, last.date),
        prolonged_soreness=has_prolonged_soreness(after_days, last.date),
        baseline=progress.baseline,
        latest_period=latest,
        overuse=overuse,
    )
