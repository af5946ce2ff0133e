"""The pre-follow-up summary (section 7): since the last session against the days just before it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from diary.clinical import SessionFacts, follow_up_summary

from .facts import peak_day

TODAY = date(2026, 11, 28)
YESTERDAY = TODAY - timedelta(days=1)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def test_no_sessions_gives_no_session_figures():
    summary = follow_up_summary([peak_day(TODAY, 5)], [], TODAY)

    assert summary.as_of == TODAY
    assert summary.first_session_date is None
    assert summary.last_session is None and summary.since_last_session is None
    assert summary.before_last_session is None
    assert summary.soreness_resolved_day is None and summary.prolonged_soreness is None
    assert summary.baseline is None and summary.latest_complete_period is None
    assert summary.medication_overuse.status == "not_enough_diary"


def test_since_the_last_session_runs_to_yesterday_against_as_many_days_before_it():
    last = ago(11)
    days = [
        peak_day(last - timedelta(days=k), 6, ["triptan"]) for k in range(1, 11)
    ]  # 10 before, all headaches
    days += [peak_day(last - timedelta(days=11), 9)]  # 11 days before: outside the window
    days += [
        peak_day(last + timedelta(days=k), 4 if k % 2 else 0, soreness=2 if k < 3 else 0)
        for k in range(1, 11)
    ]
    days += [peak_day(TODAY, 10)]  # today is not over: not in the summary
    sessions = [SessionFacts("a", last - timedelta(days=40)), SessionFacts("b", last)]

    summary = follow_up_summary(days, sessions, TODAY)

    assert summary.last_session.id == "b" and summary.days_since_last_session == 11
    assert summary.first_session_date == last - timedelta(days=40)
    before, since = summary.before_last_session, summary.since_last_session
    assert (since.from_date, since.to_date, since.days_logged) == (last + timedelta(days=1), YESTERDAY, 10)
    assert (since.headache_days, since.mean_peak_intensity, since.max_soreness) == (5, 4.0, 2)
    assert since.headache_days_per_28 == 14.0
    assert since.complete is True
    assert (before.from_date, before.to_date) == (last - timedelta(days=10), last - timedelta(days=1))
    assert (before.headache_days, before.acute_medication_days, before.mean_peak_intensity) == (10, 10, 6.0)
    assert before.headache_days_per_28 == 28.0
    assert summary.soreness_resolved_day == 3 and summary.prolonged_soreness is False


def test_since_is_at_most_the_latest_56_days():
    last = ago(90)
    summary = follow_up_summary([], [SessionFacts("a", last)], TODAY)

    since, before = summary.since_last_session, summary.before_last_session
    assert (since.from_date, since.to_date) == (YESTERDAY - timedelta(days=55), YESTERDAY)
    assert (before.from_date, before.to_date) == (last - timedelta(days=56), last - timedelta(days=1))
    assert summary.days_since_last_session == 90


def test_before_is_cut_short_at_the_day_after_the_session_before():
    summary = follow_up_summary([], [SessionFacts("a", ago(14)), SessionFacts("b", ago(10))], TODAY)

    assert summary.since_last_session.from_date == ago(9)
    assert (summary.before_last_session.from_date, summary.before_last_session.to_date) == (ago(13), ago(11))


def test_a_session_today_is_the_follow_up_itself():
    days = [peak_day(ago(k), 5, soreness=1 if k < 20 else 6) for k in range(1, 60)]
    sessions = [SessionFacts("earlier", ago(25)), SessionFacts("today", TODAY)]

    summary = follow_up_summary(days, sessions, TODAY)

    assert summary.last_session.id == "earlier"
    assert (summary.since_last_session.from_date, summary.since_last_session.to_date) == (ago(24), YESTERDAY)
    assert summary.since_last_session.days_logged == 24
    assert summary.before_last_session.days_logged == 24
    assert summary.soreness_resolved_day == 6  # ago(19) is the first day with soreness 1
    assert summary.prolonged_soreness is True  # S+4 .. S+7 had 6


def test_only_a_session_today_leaves_the_summary_without_a_last_session():
    summary = follow_up_summary([peak_day(YESTERDAY, 7)], [SessionFacts("a", TODAY)], TODAY)

    assert summary.last_session is None and summary.since_last_session is None
    assert summary.first_session_date == TODAY
    assert summary.baseline.headache_days == 1


def test_a_session_yesterday_leaves_since_empty():
    summary = follow_up_summary([peak_day(ago(2), 7)], [SessionFacts("a", YESTERDAY)], TODAY)

    assert summary.last_session.id == "a" and summary.days_since_last_session == 1
    assert summary.since_last_session is None and summary.before_last_session is None
    assert summary.prolonged_soreness is None  # too early


def test_sessions_after_today_are_ignored():
    summary = follow_up_summary(
        [], [SessionFacts("a", ago(5)), SessionFacts("later", TODAY + timedelta(days=3))], TODAY
    )

    assert summary.last_session.id == "a"
    assert summary.since_last_session.to_date == YESTERDAY


def test_soreness_that_did_not_settle_is_flagged():
    last = ago(8)
    days = [peak_day(last + timedelta(days=k), soreness=5, logged=False) for k in range(1, 8)]

    summary = follow_up_summary(days, [SessionFacts("a", last)], TODAY)

    assert summary.prolonged_soreness is True and summary.soreness_resolved_day is None


@pytest.mark.parametrize(("days_since", "flag"), [(7, None), (8, False)])
def test_prolonged_soreness_is_too_early_until_s7_is_past(days_since, flag):
    last = ago(days_since)

    summary = follow_up_summary(
        [peak_day(last + timedelta(days=4), soreness=2)], [SessionFacts("a", last)], TODAY
    )

    assert summary.prolonged_soreness is flag


def test_unanswered_days_are_missing_in_the_summary_windows():
    last = ago(11)
    days = [peak_day(last + timedelta(days=k), logged=False, classes=["triptan"]) for k in range(1, 11)]

    summary = follow_up_summary(days, [SessionFacts("a", last)], TODAY)

    since = summary.since_last_session
    assert (since.days_logged, since.headache_days, since.headache_days_per_28) == (0, 0, None)
    assert since.acute_medication_days == 10


def test_the_latest_complete_period_and_baseline_come_from_the_progress_rules():
    first = ago(60)
    days = [peak_day(first - timedelta(days=k), 5 if k <= 8 else 0) for k in range(1, 29)]  # 8 of 28
    days += [
        peak_day(first + timedelta(days=28 + k), 5 if k < 2 else 0) for k in range(28)
    ]  # 2 of 28 in period 2
    days += [peak_day(first + timedelta(days=56), 9)]  # period 3: incomplete, not in the summary

    summary = follow_up_summary(days, [SessionFacts("a", first)], TODAY)

    assert summary.baseline.headache_days == 8
    assert summary.latest_complete_period.index == 2 and summary.latest_complete_period.complete is True
    assert summary.latest_complete_period.change_pct == -75.0


def test_no_complete_period_yet():
    summary = follow_up_summary([], [SessionFacts("a", ago(27))], TODAY)

    assert summary.latest_complete_period is None
