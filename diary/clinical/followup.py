"""The pre-follow-up summary a therapist reads before seeing a patient again (section 7).

The last session S is the latest before today: a session recorded today is the follow-up
itself, so the summary still covers the stretch that led up to it. "Since" covers S+1 to
yesterday (at most the latest 56 days); "before" covers as many days ending S-1, cut short
at the day after the session before S. With them: section 6's soreness figures for S, the
latest complete 28-day period against the baseline, and the medication-overuse status.
Built from the same rules as every other figure: nothing here counts a day differently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .days import Days, SessionFacts, index_days
from .effects import MAX_WINDOW, EffectWindow, counted_sessions, effect_window, session_effect
from .overuse import MedicationOveruseStatus, medication_overuse_status
from .progress import Baseline, ProgressPeriod, treatment_progress

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class FollowUpSummary:
    """What the therapist reads before the follow-up, as of today (API: follow-up-summary)."""

    as_of: date
    first_session_date: date | None
    last_session: SessionFacts | None
    since_last_session: EffectWindow | None  # None when S is yesterday, or without S
    before_last_session: EffectWindow | None
    soreness_resolved_day: int | None
    prolonged_soreness: bool | None
    baseline: Baseline | None
    latest_complete_period: ProgressPeriod | None
    medication_overuse: MedicationOveruseStatus

    @property
    def days_since_last_session(self) -> int | None:
        """Whole days from the last session to today (1 when it was yesterday)."""
        return (self.as_of - self.last_session.date).days if self.last_session else None


def follow_up_summary(
    days: Days, sessions: Iterable[SessionFacts], today: date, overuse_months: int | None = None
) -> FollowUpSummary:
    """The pre-follow-up summary of a patient as of today (`days`: at least those of
    `follow_up_ranges`; `overuse_months` as for `medication_overuse_status`)."""
    index = index_days(days)
    counted = counted_sessions(sessions, today)
    progress = treatment_progress(index, counted, today)
    complete = [period for period in progress.periods if period.complete]
    common = dict(
        as_of=today,
        first_session_date=progress.first_session_date,
        baseline=progress.baseline,
        latest_complete_period=complete[-1] if complete else None,
        medication_overuse=medication_overuse_status(index, today, overuse_months),
    )
    earlier = [s for s in counted if s.date < today]
    if not earlier:
        return FollowUpSummary(
            last_session=None,
            since_last_session=None,
            before_last_session=None,
            soreness_resolved_day=None,
            prolonged_soreness=None,
            **common,
        )
    last = earlier[-1]
    dates = sorted({s.date for s in counted})
    position = dates.index(last.date)
    previous = dates[position - 1] if position else None
    following = dates[position + 1] if position + 1 < len(dates) else None
    effect = session_effect(index, last, previous, following, today)
    yesterday = today - _ONE_DAY
    span = min((yesterday - last.date).days, MAX_WINDOW)
    since = before = None
    if span:
        since_from = yesterday - timedelta(days=span - 1)
        since = effect_window(index.between(since_from, yesterday), since_from, yesterday, today)
        before_from, before_to = last.date - timedelta(days=span), last.date - _ONE_DAY
        if previous is not None and previous >= before_from:
            before_from = previous + _ONE_DAY
        before = effect_window(index.between(before_from, before_to), before_from, before_to, today)
    return FollowUpSummary(
        last_session=last,
        since_last_session=since,
        before_last_session=before,
        soreness_resolved_day=effect.soreness_resolved_day,
        prolonged_soreness=effect.prolonged_soreness,
        **common,
    )
