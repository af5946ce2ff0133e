"""Effect of treatment sessions: before and after windows, soreness (section 6)."""

from datetime import date, timedelta

import pytest

from diary.clinical import session_effects

S = date(2027, 6, 10)
LATER = S + timedelta(days=100)  # "today" long after every window


def on(offset):
    return S + timedelta(days=offset)


def effects(days, sessions, today=LATER, window=14):
    return session_effects(days, sessions, today, window)


def test_no_sessions_give_no_effects(make_days):
    assert effects(make_days(S, 30, headaches=1), []) == []


def test_no_data_gives_empty_windows(make_session):
    (effect,) = effects([], [make_session(S)])

    for side in (effect.before, effect.after):
        assert side.days_logged == side.headache_days == side.acute_medication_days == 0
        assert side.mean_peak_intensity is None
        assert side.headache_days_per_28 is None
        assert side.max_soreness is None
        assert side.complete is True
    assert effect.soreness_resolved_day is None
    assert effect.prolonged_soreness is None  # nothing recorded: cannot tell


@pytest.mark.parametrize("window", [0, 57, -14, 1.5, True, "14", None])
def test_window_outside_1_to_56_days_is_rejected(window, make_session):
    with pytest.raises(ValueError):
        effects([], [make_session(S)], window=window)


@pytest.mark.parametrize("window", [1, 14, 56])
def test_windows_cover_w_days_before_and_after(make_session, window):
    (effect,) = effects([], [make_session(S)], window=window)

    assert (effect.before.from_date, effect.before.to_date) == (on(-window), on(-1))
    assert (effect.after.from_date, effect.after.to_date) == (on(1), on(window))


def test_session_day_itself_belongs_to_neither_window(make_days, make_session):
    days = make_days(on(-14), 29, headaches=1, peak=5, classes=["triptan"], soreness=2)

    (effect,) = effects(days, [make_session(S, "s1")])

    assert effect.session_id == "s1"
    assert effect.date == S
    assert effect.before.days_logged == effect.after.days_logged == 14
    assert effect.before.headache_days == effect.after.headache_days == 14
    assert effect.before.headache_days_per_28 == effect.after.headache_days_per_28 == 28.0
    assert effect.before.acute_medication_days == 14


def test_window_figures(make_day, make_session):
    days = [
        make_day(on(-3), headaches=1, peak=8, soreness=3),
        make_day(on(-2), headaches=1, peak=5, classes=["other"]),
        make_day(on(-1), soreness=2, classes=["non_opioid_analgesic", "triptan"]),
        make_day(on(1), soreness=0),
        make_day(on(2), headaches=1, peak=3, soreness=None),
    ]

    (effect,) = effects(days, [make_session(S)], window=4)

    before, after = effect.before, effect.after
    assert (before.days_logged, before.headache_days, before.mean_peak_intensity) == (3, 2, 6.5)
    assert (before.acute_medication_days, before.max_soreness) == (1, 3)
    assert before.headache_days_per_28 == 18.7  # 2 x 28 / 3 = 18.67
    assert (after.days_logged, after.headache_days, after.mean_peak_intensity) == (2, 1, 3.0)
    assert (after.acute_medication_days, after.max_soreness) == (0, 0)
    assert after.headache_days_per_28 == 14.0  # 2 of 4 days logged: half is enough


@pytest.mark.parametrize(
    ("window", "logged", "per_28"),
    [
        (14, 7, 28.0),  # exactly half of 14
        (14, 6, None),  # fewer than half
        (7, 4, 28.0),  # 4 of 7 is more than half
        (7, 3, None),  # 3 of 7 is fewer than half
        (1, 1, 28.0),
        (1, 0, None),
    ],
)
def test_window_per_28_needs_half_of_its_days_logged(make_days, make_session, window, logged, per_28):
    (effect,) = effects(make_days(on(1), logged, headaches=1), [make_session(S)], window=window)

    assert effect.after.headache_days_per_28 == per_28


def test_unanswered_days_are_missing_for_headaches_but_count_for_medication_and_soreness(
    make_day, make_session
):
    days = [
        make_day(on(1), classes=["triptan"], soreness=6, logged=False),
        make_day(on(2), logged=False, soreness=1),
        make_day(on(3), headaches=1),
    ]

    (effect,) = effects(days, [make_session(S)], window=4)

    assert (effect.after.days_logged, effect.after.headache_days) == (1, 1)
    assert effect.after.headache_days_per_28 is None  # 1 of 4 days logged
    assert effect.after.acute_medication_days == 1
    assert effect.after.max_soreness == 6
    assert effect.soreness_resolved_day == 2


@pytest.mark.parametrize(("next_offset", "after_to_offset"), [(5, 4), (14, 13), (15, 14), (30, 14), (2, 1)])
def test_after_window_ends_the_day_before_a_next_session_inside_it(
    make_session, next_offset, after_to_offset
):
    found = effects([], [make_session(S), make_session(on(next_offset))])

    assert found[0].after.to_date == on(after_to_offset)
    assert found[0].after.from_date == on(1)


@pytest.mark.parametrize(
    ("previous_offset", "before_from_offset"), [(-5, -4), (-14, -13), (-15, -14), (-30, -14), (-2, -1)]
)
def test_before_window_starts_the_day_after_a_previous_session_inside_it(
    make_session, previous_offset, before_from_offset
):
    found = effects([], [make_session(on(previous_offset)), make_session(S)])

    assert found[1].before.from_date == on(before_from_offset)
    assert found[1].before.to_date == on(-1)


def test_next_session_the_next_day_leaves_an_empty_after_window(make_days, make_session):
    days = make_days(on(1), 14, headaches=1, soreness=8)

    first, second = effects(days, [make_session(S), make_session(on(1))])

    assert (first.after.from_date, first.after.to_date) == (on(1), S)
    assert first.after.days_logged == first.after.headache_days == 0
    assert first.after.max_soreness is None
    assert first.soreness_resolved_day is None
    assert first.prolonged_soreness is None  # its S+4..S+7 span is cut away entirely
    assert (second.before.from_date, second.before.to_date) == (on(1), S)  # empty as well
    assert second.prolonged_soreness is True  # the sore days belong to the next session


def test_sessions_on_the_same_date_share_their_windows(make_days, make_session):
    days = make_days(on(-14), 40, headaches=1)
    sessions = [make_session(S, "a"), make_session(S, "b"), make_session(on(6), "c")]

    a, b, c = effects(days, sessions)

    assert (a.session_id, b.session_id, c.session_id) == ("a", "b", "c")
    assert a.after == b.after and a.before == b.before
    assert a.after.to_date == on(5)
    assert c.before.from_date == on(1)  # the same-date pair counts as one previous session


def test_effects_come_in_date_order(make_session):
    sessions = [make_session(on(30), "late"), make_session(S, "early")]

    found = effects([], sessions)

    assert [e.session_id for e in found] == ["early", "late"]
    assert found[0].after.to_date == on(14)


def test_sessions_after_today_count_nowhere(make_session, make_days):
    days = make_days(on(1), 3, headaches=1)

    found = effects(days, [make_session(S, "now"), make_session(on(5), "future")], today=on(3))

    assert [e.session_id for e in found] == ["now"]
    assert found[0].after.to_date == on(14)  # the future session does not cut the window


def test_a_session_today_has_an_empty_incomplete_after_window(make_days, make_session):
    days = make_days(on(-14), 14, headaches=1)

    (effect,) = effects(days, [make_session(S)], today=S)

    assert effect.before.complete is True
    assert effect.before.days_logged == 14
    assert effect.after.complete is False
    assert effect.after.days_logged == 0
    assert effect.after.headache_days_per_28 is None
    assert effect.prolonged_soreness is None


@pytest.mark.parametrize(("today_offset", "complete"), [(13, False), (14, False), (15, True)])
def test_after_window_is_complete_once_its_last_day_is_before_today(make_session, today_offset, complete):
    (effect,) = effects([], [make_session(S)], today=on(today_offset))

    assert effect.after.complete is complete


def test_an_incomplete_after_window_reports_what_is_logged_so_far(make_days, make_session):
    days = make_days(on(1), 14, headaches=1)  # records after "today" count nowhere

    (effect,) = effects(days, [make_session(S)], today=on(7))

    assert (effect.after.from_date, effect.after.to_date) == (on(1), on(14))
    assert effect.after.days_logged == effect.after.headache_days == 7
    assert effect.after.headache_days_per_28 == 28.0  # 7 of 14 days: half
    assert effect.after.complete is False


@pytest.mark.parametrize(
    ("soreness_by_offset", "resolved"),
    [
        ({1: 7, 2: 4, 3: 1}, 3),
        ({1: 0}, 1),
        ({1: 5, 2: 2, 5: 0}, 5),
        ({1: 5, 2: None, 3: 1}, 3),
        ({-1: 0, 0: 0, 1: 6}, None),  # before or on the session day does not count
        ({1: 6, 14: 1}, 14),
        ({1: 6, 15: 0}, None),  # outside the 14-day window
        ({1: 6, 2: 2}, None),
    ],
)
def test_soreness_resolved_on_first_day_with_soreness_0_or_1(
    make_day, make_session, soreness_by_offset, resolved
):
    days = [make_day(on(offset), soreness=value) for offset, value in soreness_by_offset.items()]

    (effect,) = effects(days, [make_session(S)])

    assert effect.soreness_resolved_day == resolved


def test_soreness_resolution_inside_a_shortened_window_only(make_day, make_session):
    days = [make_day(on(1), soreness=6), make_day(on(4), soreness=0)]

    first, _ = effects(days, [make_session(S), make_session(on(3))])

    assert first.soreness_resolved_day is None


def test_soreness_resolution_not_read_from_after_today(make_day, make_session):
    days = [make_day(on(1), soreness=6), make_day(on(4), soreness=0)]

    (effect,) = effects(days, [make_session(S)], today=on(3))

    assert effect.soreness_resolved_day is None


@pytest.mark.parametrize(
    ("soreness_by_offset", "flag"),
    [
        ({3: 9}, None),  # S+3 is before the span: nothing recorded in it
        ({3: 9, 4: 2}, False),
        ({4: 3}, False),
        ({4: 4}, True),
        ({7: 10}, True),
        ({8: 10}, None),  # S+8 is after the span
        ({8: 10, 5: 1}, False),
        ({5: 1, 6: 5}, True),
        ({-5: 10}, None),
    ],
)
def test_prolonged_soreness_looks_at_s4_to_s7(make_day, make_session, soreness_by_offset, flag):
    days = [make_day(on(offset), soreness=value) for offset, value in soreness_by_offset.items()]

    (effect,) = effects(days, [make_session(S)])

    assert effect.prolonged_soreness is flag


@pytest.mark.parametrize(
    ("today_offset", "flag"),
    [
        (4, None),  # S+4 is today: the span is not all before today
        (7, None),  # S+7 is today
        (8, False),  # the span is over
    ],
)
def test_prolonged_soreness_is_too_early_until_s7_has_passed(make_day, make_session, today_offset, flag):
    days = [make_day(on(4), soreness=2)]

    (effect,) = effects(days, [make_session(S)], today=on(today_offset))

    assert effect.prolonged_soreness is flag


def test_prolonged_soreness_is_true_as_soon_as_a_high_score_is_logged(make_day, make_session):
    (effect,) = effects([make_day(on(4), soreness=6)], [make_session(S)], today=on(4))

    assert effect.prolonged_soreness is True


def test_prolonged_soreness_does_not_depend_on_the_window(make_day, make_session):
    days = [make_day(on(5), soreness=6)]

    (short,) = effects(days, [make_session(S)], window=1)
    (long,) = effects(days, [make_session(S)], window=28)

    assert short.prolonged_soreness is long.prolonged_soreness is True


@pytest.mark.parametrize(
    ("next_offset", "flag"),
    [
        (5, None),  # span S+4..S+4 holds no score (S+6 is the next session's)
        (7, True),  # span S+4..S+6 holds the S+6 score
    ],
)
def test_prolonged_soreness_span_is_cut_the_day_before_a_next_session(
    make_day, make_session, next_offset, flag
):
    days = [make_day(on(6), soreness=7)]

    first, second = effects(days, [make_session(S), make_session(on(next_offset))])

    assert first.prolonged_soreness is flag


def test_prolonged_soreness_counts_unanswered_days(make_day, make_session):
    (effect,) = effects([make_day(on(5), soreness=5, logged=False)], [make_session(S)])

    assert effect.prolonged_soreness is True


def test_soreness_is_not_a_headache(make_days, make_session):
    (effect,) = effects(make_days(on(1), 14, soreness=9), [make_session(S)])

    assert effect.after.headache_days == 0
    assert effect.after.max_soreness == 9
