"""The pre-follow-up summary: since the last session against the days just before it."""

from __future__ import annotations

from datetime import date, timedelta

from diary.clinical import DayFacts, SessionFacts, follow_up_summary

TODAY = date(2026, 11, 28)


def day(d: date, peak: int = 0, classes=(), soreness=None) -> DayFacts:
    return DayFacts(date=d, headache_count=1 if peak else 0, peak_intensity=peak,
                    drug_classes=frozenset(classes), soreness=soreness)


def test_no_sessions_gives_no_session_figures():
    summary = follow_up_summary([day(TODAY, 5)], [], TODAY)
    assert summary.last_session is None and summary.since_last_session is None
    assert summary.baseline is None and summary.latest_period is None
    assert summary.overuse.status == "none"


def test_since_the_last_session_is_compared_with_as_many_days_before_it():
    last = TODAY - timedelta(days=10)
    days = [day(last - timedelta(days=k), 6, ["triptan"]) for k in range(1, 11)]  # 10 before, all headaches
    days += [day(last - timedelta(days=11), 9)]  # 11 days before: outside the window
    days += [day(last + timedelta(days=k), 4 if k % 2 else 0, soreness=2 if k < 3 else 0)
             for k in range(1, 11)]
    summary = follow_up_summary(days, [SessionFacts("a", last - timedelta(days=40)), SessionFacts("b", last)], TODAY)
    assert summary.last_session.id == "b" and summary.days_since_last_session == 10
    before, after = summary.before_last_session, summary.since_last_session
    assert (before.from_date, before.to_date) == (last - timedelta(days=10), last - timedelta(days=1))
    assert (before.headache_days, before.acute_medication_days, before.mean_peak_intensity) == (10, 10, 6.0)
    assert (after.from_date, after.to_date, after.days_logged) == (last + timedelta(days=1), TODAY, 10)
    assert (after.headache_days, after.mean_peak_intensity, after.max_soreness) == (5, 4.0, 2)
    assert summary.soreness_resolved_day == 3 and summary.prolonged_soreness is False


def test_the_window_before_is_at_most_56_days():
    last = TODAY - timedelta(days=90)
    summary = follow_up_summary([], [SessionFacts("a", last)], TODAY)
    before = summary.before_last_session
    assert (last - before.from_date).days == 56 and summary.days_since_last_session == 90


def test_a_session_today_has_no_days_since_and_a_one_day_window_before():
    summary = follow_up_summary([day(TODAY - timedelta(days=1), 7)], [SessionFacts("a", TODAY)], TODAY)
    assert summary.since_last_session is None
    assert summary.before_last_session.headache_days == 1


def test_soreness_that_did_not_settle_is_flagged():
    last = TODAY - timedelta(days=6)
    days = [day(last + timedelta(days=k), soreness=5) for k in range(1, 7)]
    summary = follow_up_summary(days, [SessionFacts("a", last)], TODAY)
    assert summary.prolonged_soreness is True and summary.soreness_resolved_day is None


def test_latest_period_and_baseline_come_from_the_progress_rules():
    first = TODAY - timedelta(days=30)
    days = [day(first - timedelta(days=k), 5) for k in range(1, 9)]  # 8 baseline headache days
    days += [day(first + timedelta(days=28 + k), 5) for k in range(2)]  # 2 in period 2
    summary = follow_up_summary(days, [SessionFacts("a", first)], TODAY)
    assert summary.baseline.headache_days == 8
    assert summary.latest_period.index == 2 and summary.latest_period.complete is False
    assert summary.latest_period.change_pct == -75.0
