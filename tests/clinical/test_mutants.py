"""Rule tables at the edges that mutation testing (`make mutate`) found unchecked.

Each test pins one rule of docs/clinical-rules.md (or one decision of diary/clinical that the
other rule tables left open) at its boundary: the triage line and its order, responder 30,
the follow-up summary without a session, the patient's words about medication overuse, the
loading ranges, month rows and rounding. Every date is passed explicitly.
"""

from datetime import date, timedelta
from fractions import Fraction

import pytest

from diary.clinical import (
    DayFacts,
    MedicationDays,
    Month,
    RollingFigures,
    SessionFacts,
    TriageFigures,
    attention_key,
    baseline_start,
    combined_soreness_flag,
    effects_window,
    follow_up_summary,
    index_days,
    latest_complete_period,
    month_row,
    month_rows,
    overuse_window,
    recent_prolonged_soreness,
    session_effects,
    soreness_facts,
    treatment_progress,
    triage_figures,
)
from diary.clinical.overuse import ENOUGH_RECORDS, PAINKILLER_ADVICE, status_message
from diary.clinical.periods import round_half_up
from diary.clinical.progress import RESPONDER_30_PCT, RESPONDER_50_PCT, responder

from .facts import DRUG_CLASSES, day

D = timedelta
TODAY = date(2026, 5, 20)


def session(on, session_id=None):
    return SessionFacts(id=session_id or f"s-{on.isoformat()}", date=on)


def figures(status="none", soreness=None, change=None):
    return TriageFigures(
        days_logged_28=28,
        headache_days_28=0,
        medication_overuse_status=status,
        prolonged_soreness=soreness,
        change_pct=change,
    )


# --- triage: the figures of one line ----------------------------------------------------------


def test_triage_line_counts_the_last_28_days_and_takes_the_latest_complete_period():
    first = TODAY - D(60)  # periods F..F+27, F+28..F+55 complete; F+56.. (today) running
    days = []
    # baseline F-28..F-1: every day logged, 10 headache days
    for offset in range(28):
        on = first - D(28 - offset)
        days.append(day(on, headaches=1 if offset < 10 else 0))
    # from F on: every day logged; period 1 has 10 headache days, period 2 has 5, period 3 has 4
    for offset in range(61):
        on = first + D(offset)
        period, rank = divmod(offset, 28)
        wanted = (10, 5, 4)[period]
        days.append(
            day(on, headaches=1 if rank < wanted else 0, classes=("triptan",) if offset >= 61 - 9 else ())
        )
    # a day 28 days before today, outside the last 28 days, with a headache it must not count
    line = triage_figures(days, [session(first), session(TODAY + D(3))], TODAY)
    # last 28 days: TODAY-27..TODAY = offsets 33..60: period 2 offsets 33..55 (rank 5..27: no
    # headache), period 3 offsets 56..60 (rank 0..4: 4 headaches)
    assert line.days_logged_28 == 28
    assert line.headache_days_28 == 4
    assert line.medication_overuse_status == "approaching"  # 9 triptan days in the rolling 30
    assert line.prolonged_soreness is False  # a session, but none in the last 28 days
    assert line.change_pct == -50.0  # period 2 (complete) against the baseline, not period 3


def test_triage_line_without_a_complete_period_has_no_change():
    first = TODAY - D(27)  # period 1 ends today: not complete
    days = [day(first - D(28 - offset), headaches=1) for offset in range(28)]
    line = triage_figures(days, [session(first)], TODAY)
    assert line.change_pct is None
    assert line.days_logged_28 == 0
    assert line.headache_days_28 == 0
    assert line.medication_overuse_status == "not_enough_diary"


def test_triage_line_counts_answered_days_only():
    days = [
        day(TODAY - D(27), headaches=1),
        day(TODAY, logged=False, soreness=3),
        day(TODAY - D(28), headaches=1),
    ]
    line = triage_figures(days, [], TODAY)
    assert (line.days_logged_28, line.headache_days_28) == (1, 1)
    assert line.prolonged_soreness is False
    assert line.change_pct is None


def test_triage_line_flags_recent_soreness_that_did_not_settle():
    s = TODAY - D(10)
    line = triage_figures([day(s + D(5), soreness=4)], [session(s)], TODAY)
    assert line.prolonged_soreness is True


# --- triage: the one soreness flag ------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "combined"),
    [
        ([], False),
        ([None], None),
        ([False], False),
        ([True], True),
        ([False, None], None),
        ([None, False], False),
        ([True, None], True),
        ([None, True, False], True),
        ([False, False], False),
    ],
)
def test_soreness_flag_any_true_else_the_latest_sessions_flag(flags, combined):
    assert combined_soreness_flag(flags) is combined


def test_recent_soreness_reads_sessions_of_the_last_28_days_only():
    inside, outside = TODAY - D(27), TODAY - D(28)
    days = soreness_facts({inside + D(5): 2, outside + D(4): 9})
    assert recent_prolonged_soreness(days, [session(inside)], TODAY) is False
    assert recent_prolonged_soreness(days, [session(outside)], TODAY) is False
    days = soreness_facts({inside + D(5): 9})
    assert recent_prolonged_soreness(days, [session(inside)], TODAY) is True


def test_recent_soreness_a_later_session_cuts_the_span_short():
    s, later = TODAY - D(20), TODAY - D(15)  # later session on S+5: the span is S+4 only
    days = soreness_facts({s + D(4): 2, s + D(5): 8, s + D(6): 8})
    # S's span S+4..S+4 settled (False); the later session's S+4.. holds nothing (None);
    # the 8s belong to the later session's after days 0..1, before its own S+4.
    assert recent_prolonged_soreness(days, [session(s), session(later)], TODAY) is None
    assert recent_prolonged_soreness(days, [session(s)], TODAY) is True


def test_recent_soreness_a_later_session_cut_keeps_its_own_flag():
    s, later = TODAY - D(20), TODAY - D(15)
    days = soreness_facts({s + D(4): 2, s + D(5): 8, later + D(4): 1})
    assert recent_prolonged_soreness(days, [session(s), session(later)], TODAY) is False


def test_recent_soreness_too_early_when_s7_is_not_past():
    s = TODAY - D(7)  # S+7 is today: not yet past
    days = soreness_facts({s + D(4): 2})
    assert recent_prolonged_soreness(days, [session(s)], TODAY) is None
    assert recent_prolonged_soreness(days, [session(s)], TODAY + D(1)) is False


def test_recent_soreness_ignores_sessions_after_today():
    days = soreness_facts({TODAY + D(5): 9})
    assert recent_prolonged_soreness(days, [session(TODAY + D(1))], TODAY + D(10)) is True
    assert recent_prolonged_soreness(days, [session(TODAY + D(1))], TODAY) is False


def test_soreness_facts_are_unanswered_days_with_a_score_only():
    facts = soreness_facts({date(2026, 1, 2): 5, date(2026, 1, 1): 0})
    assert facts == [
        DayFacts(
            date=date(2026, 1, 2),
            headache_count=0,
            peak_intensity=0,
            drug_classes=frozenset(),
            soreness=5,
            logged=False,
        ),
        DayFacts(
            date=date(2026, 1, 1),
            headache_count=0,
            peak_intensity=0,
            drug_classes=frozenset(),
            soreness=0,
            logged=False,
        ),
    ]
    assert soreness_facts({}) == []


# --- triage: who needs attention first --------------------------------------------------------


def test_attention_order_by_overuse_status_first():
    order = ["ichd3_pattern", "overuse", "approaching", "none"]
    lines = [figures(status=s, soreness=True, change=50.0) for s in reversed(order)]
    ranked = sorted(lines, key=lambda f: attention_key(f, None, "a"))
    assert [f.medication_overuse_status for f in ranked] == order
    # none and not_enough_diary rank alike: the name decides
    a = attention_key(figures(status="not_enough_diary"), None, "a")
    b = attention_key(figures(status="none"), None, "b")
    assert a < b
    a = attention_key(figures(status="none"), None, "a")
    b = attention_key(figures(status="not_enough_diary"), None, "b")
    assert a < b


def test_attention_order_soreness_that_did_not_settle_before_worsening():
    sore = attention_key(figures(soreness=True), None, "z")
    worse = attention_key(figures(soreness=False, change=80.0), None, "a")
    early = attention_key(figures(soreness=None, change=80.0), None, "a")
    assert sore < worse
    assert sore < early
    assert attention_key(figures(soreness=None), None, "a") == attention_key(
        figures(soreness=False), None, "a"
    )


@pytest.mark.parametrize(
    ("change", "worsening"), [(0.1, True), (100.0, True), (0.0, False), (-0.1, False), (None, False)]
)
def test_attention_order_worsening_is_a_change_above_zero(change, worsening):
    key = attention_key(figures(change=change), None, "z")
    steady = attention_key(figures(change=None), None, "a")
    assert (key < steady) is worsening


def test_attention_order_then_the_soonest_review_then_the_name():
    f = figures()
    soon = attention_key(f, date(2026, 6, 1), "z")
    later = attention_key(f, date(2026, 6, 2), "a")
    none = attention_key(f, None, "a")
    assert soon < later < none
    assert attention_key(f, None, "alice") < attention_key(f, None, "Bob")
    assert attention_key(f, None, "Alice") < attention_key(f, None, "bob")
    assert attention_key(f, None, "ALICE")[-1] == "alice"
    assert attention_key(f, None, "x")[-2] == date.max


# --- triage: the latest complete period -------------------------------------------------------


@pytest.mark.parametrize(
    ("days_since_first", "period"),
    [
        (0, None),
        (27, None),  # period 1 ends today: not complete
        (28, (0, 27)),
        (55, (0, 27)),
        (56, (28, 55)),
        (84, (56, 83)),
    ],
)
def test_latest_complete_period_is_complete_once_its_last_day_is_before_today(days_since_first, period):
    first = date(2026, 1, 10)
    today = first + D(days_since_first)
    got = latest_complete_period([session(first + D(3)), session(first)], today)
    assert got == (None if period is None else (first + D(period[0]), first + D(period[1])))


def test_latest_complete_period_without_a_session_that_counts():
    assert latest_complete_period([], TODAY) is None
    assert latest_complete_period([session(TODAY + D(1))], TODAY) is None


# --- progress: the responder thresholds -------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "r30", "r50"),
    [
        (-30.0, True, False),
        (-29.9, False, False),
        (-30.1, True, False),
        (-50.0, True, True),
        (-49.9, True, False),
        (0.0, False, False),
        (12.5, False, False),
    ],
)
def test_responder_thresholds_are_inclusive(change, r30, r50):
    assert responder(change, RESPONDER_30_PCT, Fraction(10)) is r30
    assert responder(change, RESPONDER_50_PCT, Fraction(10)) is r50


def test_responder_needs_a_change_and_a_baseline_of_4_per_28():
    assert responder(-60.0, RESPONDER_30_PCT, Fraction(4)) is True
    assert responder(-60.0, RESPONDER_30_PCT, Fraction(39, 10)) is None
    assert responder(-60.0, RESPONDER_30_PCT, None) is None
    assert responder(None, RESPONDER_30_PCT, Fraction(10)) is None


def _progress_with(baseline_headaches, period_headaches):
    first = date(2026, 3, 1)
    days = [day(first - D(28 - k), headaches=int(k < baseline_headaches)) for k in range(28)]
    days += [day(first + D(k), headaches=int(k < period_headaches)) for k in range(28)]
    return treatment_progress(days, [session(first)], first + D(28)).periods[0]


def test_responder_30_at_exactly_minus_30_percent():
    period = _progress_with(10, 7)
    assert (period.change_pct, period.responder_30, period.responder_50) == (-30.0, True, False)
    period = _progress_with(10, 8)
    assert (period.change_pct, period.responder_30, period.responder_50) == (-20.0, False, False)
    period = _progress_with(10, 5)
    assert (period.change_pct, period.responder_30, period.responder_50) == (-50.0, True, True)


# --- the follow-up summary without a session --------------------------------------------------


def test_follow_up_summary_without_a_session_has_no_session_figures():
    days = [day(TODAY - D(k), headaches=1, classes=("triptan",)) for k in range(9)]
    summary = follow_up_summary(days, [session(TODAY + D(1))], TODAY)
    assert summary.as_of == TODAY
    assert summary.first_session_date is None
    assert summary.last_session is None
    assert summary.since_last_session is None
    assert summary.before_last_session is None
    assert summary.soreness_resolved_day is None
    assert summary.prolonged_soreness is None
    assert summary.baseline is None
    assert summary.latest_complete_period is None
    assert summary.days_since_last_session is None
    assert summary.medication_overuse.status == "approaching"
    assert summary.medication_overuse.rolling_30.days_logged == 9


def test_follow_up_summary_with_only_a_session_today_keeps_the_progress_figures():
    summary = follow_up_summary([day(TODAY - D(1), headaches=1)], [session(TODAY)], TODAY)
    assert summary.last_session is None
    assert summary.first_session_date == TODAY
    assert summary.baseline.headache_days == 1
    assert summary.latest_complete_period is None
    assert summary.prolonged_soreness is None
    assert summary.soreness_resolved_day is None


def test_follow_up_summary_takes_the_latest_complete_period():
    first = TODAY - D(60)
    summary = follow_up_summary([], [session(first)], TODAY)
    assert summary.latest_complete_period.index == 2
    assert summary.days_since_last_session == 60


# --- the patient's words about medication overuse ---------------------------------------------


def rolling(acute=0, days_with_record=0):
    meds = MedicationDays(
        non_opioid_analgesic=acute,
        triptan=0,
        ergot=0,
        opioid=0,
        combination_analgesic=0,
        other_acute=0,
        other=0,
        acute=acute,
    )
    return RollingFigures(
        from_date=TODAY - D(29),
        to_date=TODAY,
        days_logged=days_with_record,
        days_with_record=days_with_record,
        headache_days=0,
        medication_days=meds,
        overuse_reasons=(),
    )


ADVICE = (
    "Taking painkillers or migraine medicines on many days can itself cause headaches. If you "
    "need them on more than two days a week, ask your GP or therapist about other options."
)


def test_painkiller_advice_words():
    assert PAINKILLER_ADVICE == ADVICE


def test_patient_words_for_the_ichd3_pattern():
    assert status_message("ichd3_pattern", rolling(acute=20, days_with_record=30)) == (
        "Your diary shows a pattern doctors check for medication-overuse headache. Only a clinician "
        "can diagnose it. Please talk to your GP or therapist soon. " + ADVICE + " Do not stop or "
        "change your medicines on your own: they will help you plan it safely."
    )


def test_patient_words_for_overuse():
    assert status_message("overuse", rolling(acute=16, days_with_record=30)) == (
        "Recently you have taken painkillers or migraine medicines on more days than is usually "
        "advised. This is common and nothing to feel bad about. " + ADVICE
    )


def test_patient_words_for_approaching_give_the_acute_days():
    assert status_message("approaching", rolling(acute=9, days_with_record=12)) == (
        "You took painkillers or migraine medicines on 9 of the last 30 days. " + ADVICE
    )


def test_patient_words_for_none_give_the_days_written():
    assert status_message("none", rolling(acute=2, days_with_record=23)) == (
        "You wrote in your diary on 23 of the last 30 days, and your use of painkillers and "
        "migraine medicines is within the usual advice. Keep logging each day, including days "
        "without a headache."
    )


def test_patient_words_for_not_enough_diary_ask_for_21_days():
    assert ENOUGH_RECORDS == 21
    assert status_message("not_enough_diary", rolling(acute=1, days_with_record=4)) == (
        "You wrote in your diary on 4 of the last 30 days. Log at least 21 days out of 30, "
        "including days without a headache, so that your medicine use can be checked."
    )


# --- which days each rule reads ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "first"),
    [
        (date(2026, 3, 15), date(2025, 12, 1)),
        (date(2026, 1, 1), date(2025, 10, 1)),
        (date(2026, 3, 31), date(2025, 12, 1)),
    ],
)
def test_overuse_window_reads_the_last_three_complete_months_and_the_rolling_30(today, first):
    assert overuse_window(today) == (first, today)


def test_baseline_start_is_28_days_before_the_first_session_that_counts():
    sessions = [session(date(2026, 3, 10)), session(date(2026, 3, 1)), session(TODAY + D(1))]
    assert baseline_start(sessions, TODAY) == date(2026, 2, 1)
    assert baseline_start([session(TODAY + D(1))], TODAY) is None
    assert baseline_start([], TODAY) is None


def test_effects_window_reaches_the_window_before_the_first_and_after_the_last_session():
    sessions = [session(date(2026, 3, 10)), session(date(2026, 3, 1)), session(TODAY + D(1))]
    assert effects_window(sessions, 14, TODAY) == (date(2026, 2, 15), date(2026, 3, 24))
    assert effects_window(sessions, 3, TODAY) == (date(2026, 2, 26), date(2026, 3, 17))  # S+7
    assert effects_window(sessions, 7, TODAY) == (date(2026, 2, 22), date(2026, 3, 17))
    assert effects_window(sessions, 8, TODAY) == (date(2026, 2, 21), date(2026, 3, 18))


def test_effects_window_stops_at_today():
    sessions = [session(TODAY - D(2))]
    assert effects_window(sessions, 14, TODAY) == (TODAY - D(16), TODAY)
    assert effects_window([session(TODAY)], 1, TODAY) == (TODAY - D(1), TODAY)
    assert effects_window([session(TODAY + D(1))], 14, TODAY) is None
    assert effects_window([], 14, TODAY) is None


# --- month rows -------------------------------------------------------------------------------


def test_month_rows_one_row_per_month_inclusive():
    days = [
        day(date(2024, 2, 29), headaches=1, peak=7, classes=("triptan", "other")),
        day(date(2024, 2, 28), headaches=2, peak=3),
        day(date(2024, 3, 1), logged=False, classes=("ergot",)),
    ]
    rows = month_rows(days, date(2024, 1, 31), date(2024, 3, 1))
    assert [r.month for r in rows] == ["2024-01", "2024-02", "2024-03"]
    assert [r.days_in_month for r in rows] == [31, 29, 31]
    feb = rows[1]
    assert (feb.days_logged, feb.headache_days, feb.moderate_severe_days) == (2, 2, 1)
    assert feb.mean_peak_intensity == 5.0
    assert (feb.medication_days.triptan, feb.medication_days.other, feb.medication_days.acute) == (1, 1, 1)
    assert feb.overuse_reasons == ()
    march = rows[2]
    assert (march.days_logged, march.headache_days, march.medication_days.ergot) == (0, 0, 1)
    assert march.mean_peak_intensity is None
    assert rows[0] == month_row([], Month(2024, 1))


def test_month_rows_single_month_and_order():
    assert [r.month for r in month_rows([], date(2026, 12, 5), date(2026, 12, 5))] == ["2026-12"]
    assert [r.month for r in month_rows([], date(2026, 12, 5), date(2027, 1, 1))] == ["2026-12", "2027-01"]
    with pytest.raises(ValueError) as error:
        month_rows([], date(2026, 2, 1), date(2026, 1, 31))
    assert str(error.value) == "last_month is before first_month"


def test_month_row_carries_the_overuse_reasons_of_the_month():
    days = [day(date(2026, 4, 1) + D(k), classes=("triptan",)) for k in range(10)]
    assert month_row(days, Month(2026, 4)).overuse_reasons == ("triptan",)
    assert month_row(days[:9], Month(2026, 4)).overuse_reasons == ()


def test_month_label_pads_year_and_month():
    assert Month(999, 3).label == "0999-03"
    assert Month(2026, 11).label == "2026-11"


# --- rounding half away from zero -------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "places", "shown"),
    [
        (1, 8, 2, 0.13),
        (-1, 8, 2, -0.13),
        (1, -8, 2, -0.13),
        (-1, -8, 2, 0.13),
        (5, 2, 0, 3.0),
        (-5, 2, 0, -3.0),
        (7, 2, 0, 4.0),
        (0, 5, 1, 0.0),
        (12345, 1000, 2, 12.35),
        (-25, 4, 1, -6.3),
        (1, 3, 1, 0.3),
        (2, 3, 1, 0.7),
        (1, 16, 3, 0.063),
        (-1, 16, 3, -0.063),
        (149, 100, 1, 1.5),
        (144, 100, 1, 1.4),
    ],
)
def test_round_half_up_rounds_halves_away_from_zero(numerator, denominator, places, shown):
    assert round_half_up(numerator, denominator, places) == shown


# --- the follow-up summary: the follow-up session itself cuts S's soreness days ---------------


def test_follow_up_summary_a_session_today_ends_the_last_sessions_soreness_days():
    s = TODAY - D(5)
    days = [day(s + D(4), soreness=2), day(TODAY, soreness=0)]
    sessions = [session(TODAY - D(40)), session(TODAY - D(20)), session(s), session(TODAY)]
    summary = follow_up_summary(days, sessions, TODAY)
    assert summary.last_session == session(s)
    assert summary.soreness_resolved_day is None  # S+5 is the follow-up's own day
    assert summary.prolonged_soreness is False  # S+4 alone, settled
    days = [day(s + D(4), soreness=2), day(TODAY, soreness=6)]
    assert follow_up_summary(days, sessions, TODAY).prolonged_soreness is False
    without_today = follow_up_summary(days, sessions[:3], TODAY)
    assert without_today.prolonged_soreness is True


def test_follow_up_summary_before_starts_the_day_after_the_previous_session():
    s = TODAY - D(4)  # span 3: before would be S-3..S-1, and the previous session is on S-3
    summary = follow_up_summary([day(s - D(3), headaches=1)], [session(s - D(3)), session(s)], TODAY)
    before = summary.before_last_session
    assert (before.from_date, before.to_date) == (s - D(2), s - D(1))
    assert before.days_logged == 0
    summary = follow_up_summary([day(s - D(3), headaches=1)], [session(s - D(4)), session(s)], TODAY)
    assert (summary.before_last_session.from_date, summary.before_last_session.days_logged) == (s - D(3), 1)


# --- facts that the engine refuses, with words that name them ---------------------------------


@pytest.mark.parametrize(
    ("facts", "words"),
    [
        (dict(headaches=-1, peak=0), "2026-05-20: headache_count must not be negative"),
        (
            dict(headaches=1, peak=5, logged=False),
            "2026-05-20: a day with headaches answers the headache question",
        ),
        (dict(headaches=0, peak=3), "2026-05-20: peak_intensity must be 0 without headaches"),
        (dict(headaches=1, peak=11), "2026-05-20: peak_intensity of a headache day must be 1-10"),
        (dict(classes=("triptan", "zz", "aa")), "2026-05-20: unknown drug class aa, zz"),
        (dict(soreness=11), "2026-05-20: soreness must be 0-10 or None"),
    ],
)
def test_day_facts_out_of_range_are_refused_by_name(facts, words):
    with pytest.raises(ValueError) as error:
        index_days([day(TODAY, **facts)])
    assert str(error.value) == words


def test_day_facts_may_hold_every_drug_class():
    assert len(index_days([day(TODAY, classes=DRUG_CLASSES)])) == 1


def test_one_day_record_per_date():
    with pytest.raises(ValueError) as error:
        index_days([day(TODAY), day(TODAY, headaches=1)])
    assert str(error.value) == "at most one day record per date"


def test_day_index_iterates_in_date_order():
    days = [day(TODAY), day(TODAY - D(2)), day(TODAY - D(1))]
    assert [d.date for d in index_days(days)] == [TODAY - D(2), TODAY - D(1), TODAY]


@pytest.mark.parametrize(
    ("window", "words"),
    [
        (2.5, "window must be a whole number of days"),
        (True, "window must be a whole number of days"),
        (0, "window must be from 1 to 56 days"),
        (57, "window must be from 1 to 56 days"),
    ],
)
def test_effect_window_lengths_are_whole_days_from_1_to_56(window, words):
    with pytest.raises(ValueError) as error:
        session_effects([], [session(TODAY)], TODAY, window=window)
    assert str(error.value) == words
