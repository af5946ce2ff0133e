"""Effect of treatment sessions: before and after windows, soreness (section 6)."""

from datetime import date, timedelta

import pytest

from diary.clinical import session_effects

S = date(2027, 6, 10)


def on(offset):
    return S + timedelta(days=offset)


def test_no_sessions_give_no_effects(make_days):
    assert session_effects(make_days(S, 30, headaches=1), []) == []


def test_no_data_gives_empty_windows(make_session):
    (effect,) = session_effects([], [make_session(S)])

    for side in (effect.before, effect.after):
        assert side.days_logged == side.headache_days == side.acute_medication_days == 0
        assert side.mean_peak_intensity is None
        assert side.max_soreness is None
    assert effect.soreness_resolved_day is None
    assert effect.prolonged_soreness is False


@pytest.mark.parametrize("window", [0, 57, -14, 1.5, True, "14", None])
def test_window_outside_1_to_56_days_is_rejected(window, make_session):
    with pytest.raises(ValueError):
        session_effects([], [make_session(S)], window=window)


@pytest.mark.parametrize("window", [1, 14, 56])
def test_windows_cover_w_days_before_and_after(make_session, window):
    (effect,) = session_effects([], [make_session(S)], window=window)

    assert (effect.before.from_date, effect.before.to_date) == (on(-window), on(-1))
    assert (effect.after.from_date, effect.after.to_date) == (on(1), on(window))


def test_session_day_itself_belongs_to_neither_window(make_days, make_session):
    days = make_days(on(-14), 29, headaches=1, peak=5, classes=["triptan"], soreness=2)

    (effect,) = session_effects(days, [make_session(S, "s1")])

    assert effect.session_id == "s1"
    assert effect.date == S
    assert effect.before.days_logged == effect.after.days_logged == 14
    assert effect.before.headache_days == effect.after.headache_days == 14
    assert effect.before.acute_medication_days == 14


def test_window_figures(make_day, make_session):
    days = [make_day(on(-3), headaches=1, peak=8, soreness=3),
            make_day(on(-2), headaches=1, peak=5, classes=["other"]),
            make_day(on(-1), soreness=2, classes=["non_opioid_analgesic", "triptan"]),
            make_day(on(1), soreness=0),
            make_day(on(2), headaches=1, peak=3, soreness=None)]

    (effect,) = session_effects(days, [make_session(S)])

    before, after = effect.before, effect.after
    assert (before.days_logged, before.headache_days, before.mean_peak_intensity) == (3, 2, 6.5)
    assert (before.acute_medication_days, before.max_soreness) == (1, 3)
    assert (after.days_logged, after.headache_days, after.mean_peak_intensity) == (2, 1, 3.0)
    assert (after.acute_medication_days, after.max_soreness) == (0, 0)


@pytest.mark.parametrize(("next_offset", "after_to_offset"), [
    (5, 4), (14, 13), (15, 14), (30, 14), (2, 1)])
def test_after_window_ends_the_day_before_a_next_session_inside_it(
        make_session, next_offset, after_to_offset):
    effects = session_effects([], [make_session(S), make_session(on(next_offset))])

    assert effects[0].after.to_date == on(after_to_offset)
    assert effects[0].after.from_date == on(1)


def test_next_session_the_next_day_leaves_an_empty_after_window(make_days, make_session):
    days = make_days(on(1), 14, headaches=1, soreness=8)

    first, second = session_effects(days, [make_session(S), make_session(on(1))])

    assert (first.after.from_date, first.after.to_date) == (on(1), S)
    assert first.after.days_logged == first.after.headache_days == 0
    assert first.after.max_soreness is None
    assert first.soreness_resolved_day is None
    assert first.prolonged_soreness is False
    assert second.prolonged_soreness is True  # the sore days belong to the next session


def test_sessions_on_the_same_date_share_their_windows(make_days, make_session):
    days = make_days(on(-14), 40, headaches=1)
    sessions = [make_session(S, "a"), make_session(S, "b"), make_session(on(6), "c")]

    a, b, c = session_effects(days, sessions)

    assert (a.session_id, b.session_id, c.session_id) == ("a", "b", "c")
    assert a.after == b.after and a.before == b.before
    assert a.after.to_date == on(5)


def test_before_window_is_not_cut_by_an_earlier_session(make_session):
    _, second = session_effects([], [make_session(S), make_session(on(5))])

    assert second.before.from_date == on(-9)


def test_effects_come_in_date_order(make_session):
    sessions = [make_session(on(30), "late"), make_session(S, "early")]

    effects = session_effects([], sessions)

    assert [e.session_id for e in effects] == ["early", "late"]
    assert effects[0].after.to_date == on(14)


@pytest.mark.parametrize(("soreness_by_offset", "resolved"), [
    ({1: 7, 2: 4, 3: 1}, 3),
    ({1: 0}, 1),
    ({1: 5, 2: 2, 5: 0}, 5),
    ({1: 5, 2: None, 3: 1}, 3),
    ({-1: 0, 0: 0, 1: 6}, None),  # before or on the session day does not count
    ({1: 6, 14: 1}, 14),
    ({1: 6, 15: 0}, None),  # outside the 14-day window
    ({1: 6, 2: 2}, None),
])
def test_soreness_resolved_on_first_day_with_soreness_0_or_1(
        make_day, make_session, soreness_by_offset, resolved):
    days = [make_day(on(offset), soreness=value) for offset, value in soreness_by_offset.items()]

    (effect,) = session_effects(days, [make_session(S)])

    assert effect.soreness_resolved_day == resolved


def test_soreness_resolution_inside_a_shortened_window_only(make_day, make_session):
    days = [make_day(on(1), soreness=6), make_day(on(4), soreness=0)]

    first, _ = session_effects(days, [make_session(S), make_session(on(3))])

    assert first.soreness_resolved_day is None


@pytest.mark.parametrize(("offset", "soreness", "flagged"), [
    (3, 9, False),
    (4, 3, False),
    (4, 4, True),
    (10, 10, True),
    (14, 4, True),
    (15, 10, False),
    (-5, 10, False),
])
def test_prolonged_soreness_from_day_4_with_soreness_4_or_more(
        make_day, make_session, offset, soreness, flagged):
    (effect,) = session_effects([make_day(on(offset), soreness=soreness)], [make_session(S)])

    assert effect.prolonged_soreness is flagged


def test_prolonged_soreness_follows_the_window_length(make_day, make_session):
    days = [make_day(on(20), soreness=6)]

    (short,) = session_effects(days, [make_session(S)], window=14)
    (long,) = session_effects(days, [make_session(S)], window=28)

    assert short.prolonged_soreness is False
    assert long.prolonged_soreness is True


def test_prolonged_soreness_not_flagged_past_a_next_session(make_day, make_session):
    days = [make_day(on(6), soreness=7)]

    first, second = session_effects(days, [make_session(S), make_session(on(5))])

    assert first.prolonged_soreness is False
    assert first.after.max_soreness is None
    assert second.after.max_soreness == 7
    assert second.prolonged_soreness is False  # day 1 after the second session


def test_soreness_is_not_a_headache(make_days, make_session):
    (effect,) = session_effects(make_days(on(1), 14, soreness=9), [make_session(S)])

    assert effect.after.headache_days == 0
    assert effect.after.max_soreness == 9
