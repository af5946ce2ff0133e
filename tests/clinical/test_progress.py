"""Baseline before the first session, 28-day periods, change and responders (section 5)."""

from datetime import date, timedelta

import pytest

from diary.clinical import treatment_progress

F = date(2027, 3, 1)


def test_no_session_means_no_baseline_and_no_periods(make_days):
    progress = treatment_progress(make_days(F, 40, headaches=1), [], F + timedelta(days=60))

    assert progress.baseline is None
    assert progress.periods == ()


def test_no_data_still_gives_baseline_and_periods_with_zero_days(make_session):
    progress = treatment_progress([], [make_session(F)], F + timedelta(days=30))

    assert progress.baseline.days_logged == 0
    assert progress.baseline.mean_peak_intensity is None
    assert [p.days_logged for p in progress.periods] == [0, 0]
    assert all(p.change_pct is None and p.responder_50 is None for p in progress.periods)


def test_baseline_is_the_28_days_before_the_first_session(make_days, make_session):
    days = make_days(F - timedelta(days=29), 30, headaches=1)  # F-29 .. F

    progress = treatment_progress(days, [make_session(F)], F)

    assert progress.baseline.from_date == F - timedelta(days=28) == date(2027, 2, 1)
    assert progress.baseline.to_date == F - timedelta(days=1) == date(2027, 2, 28)
    assert progress.baseline.days_logged == progress.baseline.headache_days == 28


def test_baseline_over_a_leap_day(make_session):
    progress = treatment_progress([], [make_session(date(2028, 3, 1))], date(2028, 3, 1))

    assert progress.baseline.from_date == date(2028, 2, 2)
    assert progress.baseline.to_date == date(2028, 2, 29)


def test_first_session_is_the_earliest_whatever_the_order(make_session):
    sessions = [make_session(F + timedelta(days=20)), make_session(F), make_session(F + timedelta(days=5))]

    progress = treatment_progress([], sessions, F + timedelta(days=30))

    assert progress.baseline.to_date == F - timedelta(days=1)
    assert progress.periods[0].from_date == F
    assert progress.periods[1].from_date == F + timedelta(days=28)


@pytest.mark.parametrize(
    ("today_offset", "periods", "last_complete"),
    [
        (-1, [], None),  # first session still to come
        (0, [(1, 0, 27)], False),
        (26, [(1, 0, 27)], False),
        (27, [(1, 0, 27)], False),  # the period ends today: not complete yet
        (28, [(1, 0, 27), (2, 28, 55)], False),
        (55, [(1, 0, 27), (2, 28, 55)], False),
        (56, [(1, 0, 27), (2, 28, 55), (3, 56, 83)], False),
    ],
)
def test_periods_are_28_day_blocks_from_the_first_session_up_to_today(
    make_session, today_offset, periods, last_complete
):
    today = F + timedelta(days=today_offset)

    progress = treatment_progress([], [make_session(F)], today)

    offsets = [(p.index, (p.from_date - F).days, (p.to_date - F).days) for p in progress.periods]
    assert offsets == periods
    assert all(p.complete for p in progress.periods[:-1])
    if periods:
        assert progress.periods[-1].complete is last_complete


@pytest.mark.parametrize(("today_offset", "complete"), [(26, False), (27, False), (28, True)])
def test_a_period_is_complete_once_its_last_day_is_before_today(make_session, today_offset, complete):
    progress = treatment_progress([], [make_session(F)], F + timedelta(days=today_offset))

    assert progress.periods[0].complete is complete


def test_sessions_after_today_do_not_count(make_session):
    progress = treatment_progress([], [make_session(F + timedelta(days=3))], F)

    assert progress.first_session_date is None
    assert progress.baseline is None and progress.periods == ()


def test_the_first_session_that_counts_is_the_earliest_up_to_today(make_session):
    sessions = [make_session(F + timedelta(days=40)), make_session(F + timedelta(days=10))]

    progress = treatment_progress([], sessions, F + timedelta(days=20))

    assert progress.first_session_date == F + timedelta(days=10)


def test_sessions_on_the_same_date_count_once(make_session):
    sessions = [make_session(F, "a"), make_session(F, "b")]

    progress = treatment_progress([], sessions, F + timedelta(days=30))

    assert progress.first_session_date == F
    assert len(progress.periods) == 2


def test_period_figures_count_only_their_own_days(make_day, make_session):
    days = [
        make_day(F - timedelta(days=1), headaches=1, peak=9),  # baseline
        make_day(F, headaches=1, peak=4, classes=["triptan"]),  # period 1, first day
        make_day(F + timedelta(days=27), headaches=2, peak=2),  # period 1, last day
        make_day(F + timedelta(days=28), headaches=1, peak=7),  # period 2, first day
        make_day(F + timedelta(days=29)),
    ]

    progress = treatment_progress(days, [make_session(F)], F + timedelta(days=60))

    first, second, third = progress.periods
    assert (progress.baseline.headache_days, progress.baseline.moderate_severe_days) == (1, 1)
    assert (first.days_logged, first.headache_days, first.moderate_severe_days) == (2, 2, 1)
    assert first.acute_medication_days == 1
    assert first.mean_peak_intensity == 3.0
    assert (second.days_logged, second.headache_days, second.mean_peak_intensity) == (2, 1, 7.0)
    assert third.days_logged == 0


def fully_logged(make_days, start, headache_days, logged=28):
    """`logged` consecutive logged days from start, the first `headache_days` with a headache."""
    return make_days(start, headache_days, headaches=1) + make_days(
        start + timedelta(days=headache_days), logged - headache_days
    )


@pytest.mark.parametrize(
    ("baseline_days", "period_days", "change", "responder_50", "responder_30"),
    [
        (10, 5, -50.0, True, True),
        (10, 6, -40.0, False, True),
        (10, 7, -30.0, False, True),
        (10, 8, -20.0, False, False),
        (10, 10, 0.0, False, False),
        (10, 15, 50.0, False, False),
        (8, 0, -100.0, True, True),
        (4, 2, -50.0, True, True),  # a baseline of 4 per 28 is enough for responder flags
        (4, 3, -25.0, False, False),
        (3, 1, -66.7, None, None),  # a baseline under 4 per 28: no responder flags
        (3, 2, -33.3, None, None),
        (7, 4, -42.9, False, True),
        (16, 15, -6.3, False, False),  # -6.25 rounds away from zero
        (16, 17, 6.3, False, False),  # 6.25
        (16, 7, -56.3, True, True),  # -56.25
        (0, 0, None, None, None),  # a baseline of 0: no change
        (0, 4, None, None, None),
    ],
)
def test_change_and_responders_against_baseline(
    make_days, make_session, baseline_days, period_days, change, responder_50, responder_30
):
    days = fully_logged(make_days, F - timedelta(days=28), baseline_days)
    days += fully_logged(make_days, F, period_days)

    progress = treatment_progress(days, [make_session(F)], F + timedelta(days=28))
    (period, _) = progress.periods

    assert period.complete is True
    assert period.headache_days_per_28 == float(period_days)  # a fully logged period: its plain count
    assert progress.baseline.headache_days_per_28 == float(baseline_days)
    assert period.change_pct == change
    assert period.responder_50 is responder_50
    assert period.responder_30 is responder_30


@pytest.mark.parametrize(
    ("logged", "headache_days", "per_28"),
    [
        (13, 6, None),  # under 14 logged days: too little diary to tell
        (14, 6, 12.0),  # 6 x 28 / 14
        (14, 9, 18.0),
        (27, 8, 8.3),  # 8.296...
        (28, 8, 8.0),
        (15, 0, 0.0),
    ],
)
def test_headache_days_per_28_need_14_logged_days(make_days, make_session, logged, headache_days, per_28):
    days = fully_logged(make_days, F - timedelta(days=28), headache_days, logged)

    progress = treatment_progress(days, [make_session(F)], F)

    assert progress.baseline.headache_days_per_28 == per_28


def test_a_thinly_logged_period_is_not_an_improvement(make_days, make_session):
    # 14 headache days in 28 before; 9 in 13 logged days after: fewer headache days, but no change
    days = fully_logged(make_days, F - timedelta(days=28), 14)
    days += fully_logged(make_days, F, 9, logged=13)

    (period, _) = treatment_progress(days, [make_session(F)], F + timedelta(days=28)).periods

    assert period.headache_days == 9
    assert period.headache_days_per_28 is None
    assert period.change_pct is period.responder_50 is period.responder_30 is None


def test_change_is_computed_from_unrounded_per_28_figures(make_days, make_session):
    # baseline 10 in 27 logged days (10.370...), period 5 in 17 (8.235...): -20.588... = -20.6 %;
    # from the rounded 8.2 and 10.4 it would be -21.2 %.
    days = fully_logged(make_days, F - timedelta(days=28), 10, 27)
    days += fully_logged(make_days, F, 5, 17)

    (period, _) = treatment_progress(days, [make_session(F)], F + timedelta(days=28)).periods

    assert period.headache_days_per_28 == 8.2
    assert period.change_pct == -20.6


def test_an_incomplete_period_has_no_change_and_no_responder_flags(make_days, make_session):
    days = fully_logged(make_days, F - timedelta(days=28), 10) + fully_logged(make_days, F, 2, 20)

    (period,) = treatment_progress(days, [make_session(F)], F + timedelta(days=27)).periods

    assert period.complete is False
    assert period.headache_days_per_28 == 2.8
    assert period.change_pct is None
    assert period.responder_50 is None
    assert period.responder_30 is None


def test_an_incomplete_period_reads_no_record_after_today(make_days, make_session):
    days = make_days(F, 28, headaches=1)

    (period,) = treatment_progress(days, [make_session(F)], F + timedelta(days=9)).periods

    assert period.days_logged == period.headache_days == 10


def test_missing_baseline_days_are_not_headache_free(make_days, make_session):
    # only 5 days logged in the baseline, all headache days: too little diary to compare
    days = make_days(F - timedelta(days=5), 5, headaches=1) + make_days(F, 28)

    progress = treatment_progress(days, [make_session(F)], F + timedelta(days=28))

    assert progress.baseline.days_logged == 5
    assert progress.baseline.headache_days == 5
    assert progress.baseline.headache_days_per_28 is None
    assert progress.periods[0].change_pct is None


def test_unanswered_days_are_missing_in_a_period(make_days, make_session):
    days = fully_logged(make_days, F - timedelta(days=28), 10)
    days += make_days(F, 14, logged=False, soreness=3) + make_days(F + timedelta(days=14), 14)

    (period, _) = treatment_progress(days, [make_session(F)], F + timedelta(days=28)).periods

    assert (period.days_logged, period.headache_days, period.headache_days_per_28) == (14, 0, 0.0)
    assert period.change_pct == -100.0
