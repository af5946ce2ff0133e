"""The engine against a deliberately naive reading of docs/clinical-rules.md, on random diaries.

The naive side walks every calendar date of each range, looks the day up, and recomputes
everything from scratch with exact fractions; it shares no code with diary.clinical beyond
the input dataclasses. A last property checks that the loading ranges of
diary.clinical.ranges hold every day the rules read.
"""

import os
from dataclasses import asdict
from datetime import date, timedelta
from fractions import Fraction
from math import floor

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from diary.clinical import (
    DayFacts,
    Month,
    SessionFacts,
    baseline_start,
    consecutive_overuse_months,
    effects_window,
    follow_up_ranges,
    follow_up_summary,
    medication_overuse_status,
    month_rows,
    overuse_months_in_a_row,
    overuse_window,
    period_figures,
    picture_ranges,
    session_effects,
    treatment_progress,
)

from .facts import ACUTE_CLASSES, DRUG_CLASSES

ONE_DAY = timedelta(days=1)

PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("CLINICAL_PROPERTY_EXAMPLES", 150)),
    deadline=None,
    database=None,
    # Shrinking a 120-day diary takes minutes; a failure prints the whole diary instead,
    # and print_blob gives the @reproduce_failure line to replay it.
    phases=[Phase.explicit, Phase.generate],
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)


# --- random diaries ---------------------------------------------------------------------------


@st.composite
def diaries(draw):
    """A random subset of about 120 days with headaches, medication and soreness, plus sessions."""
    start = draw(st.dates(date(2025, 11, 1), date(2028, 12, 31)))  # spans Feb 29 2028, year ends
    span = draw(st.integers(1, 125))
    # how dense the diary is, out of 10 days: dense diaries reach the overuse thresholds
    logged_in_10 = draw(st.sampled_from([10, 9, 7, 4, 0]))
    # of the records, how many leave the headache question open
    unanswered_in_10 = draw(st.sampled_from([0, 0, 1, 3, 10]))
    headache_in_10 = draw(st.sampled_from([0, 9, 7, 5, 2, 10]))
    medication_in_10 = draw(st.sampled_from([0, 7, 5, 3, 9, 10]))
    classes_in_use = draw(st.lists(st.sampled_from(DRUG_CLASSES), unique=True, max_size=4))
    # a few soreness values per diary, so that lone high or low values sit near the edges
    soreness_values = draw(st.lists(st.none() | st.integers(0, 10), min_size=1, max_size=3))
    days = []
    for offset in range(span):
        if draw(st.integers(0, 9)) >= logged_in_10:
            continue
        answered = draw(st.integers(0, 9)) >= unanswered_in_10
        headaches = draw(st.integers(1, 3)) if answered and draw(st.integers(0, 9)) < headache_in_10 else 0
        classes = frozenset(
            drug_class for drug_class in classes_in_use if draw(st.integers(0, 9)) < medication_in_10
        )
        days.append(
            DayFacts(
                date=start + timedelta(days=offset),
                headache_count=headaches,
                peak_intensity=draw(st.integers(1, 10)) if headaches else 0,
                drug_classes=classes,
                soreness=draw(st.sampled_from(soreness_values)),
                logged=answered,
            )
        )
    session_offsets = draw(st.lists(st.integers(-40, span + 20), max_size=6))
    sessions = [
        SessionFacts(id=f"s{i}", date=start + timedelta(days=k)) for i, k in enumerate(session_offsets)
    ]
    if sessions and draw(st.booleans()):
        # today on or next to the last day of a 28-day period
        first_session = min(session.date for session in sessions)
        period_end = first_session + timedelta(days=28 * draw(st.integers(1, 5)) - 1)
        today = period_end + timedelta(days=draw(st.sampled_from([0, -1, 1])))
    else:
        today = start + timedelta(days=span - 1 + draw(st.integers(-span - 10, 40)))
    return start, span, draw(st.permutations(days)), sessions, today


# --- the naive rules (version 2) -----------------------------------------------------------------


def dates_from(first, last):
    day = first
    while day <= last:
        yield day
        day += ONE_DAY


def half_up(value: Fraction, places: int) -> float:
    sign = -1 if value < 0 else 1
    return float(Fraction(sign * floor(abs(value) * 10**places + Fraction(1, 2)), 10**places))


def per_28(headache_days, logged, min_logged):
    if logged == 0 or logged < min_logged:
        return None
    return Fraction(28 * headache_days, logged)


def shown(value):
    return None if value is None else half_up(value, 1)


def naive_figures(by_date, first, last, today=None):
    """Counts over first..last; with `today`, records dated after it count nowhere."""
    logged = records = headache = moderate_severe = acute = peak_sum = 0
    class_days = {drug_class: 0 for drug_class in DRUG_CLASSES}
    for on in dates_from(first, last):
        day = by_date.get(on)
        if day is None or (today is not None and on > today):
            continue
        records += 1
        if day.logged:
            logged += 1
            if day.headache_count > 0:
                headache += 1
                peak_sum += day.peak_intensity
                moderate_severe += day.peak_intensity >= 4
        for drug_class in DRUG_CLASSES:
            class_days[drug_class] += drug_class in day.drug_classes
        acute += any(drug_class in day.drug_classes for drug_class in ACUTE_CLASSES)
    return {
        "from_date": first,
        "to_date": last,
        "days_logged": logged,
        "headache_days": headache,
        "moderate_severe_days": moderate_severe,
        "acute_medication_days": acute,
        "mean_peak_intensity": half_up(Fraction(peak_sum, headache), 2) if headache else None,
        "medication_days": {**class_days, "acute": acute},
        "days_with_record": records,
    }


def naive_reasons(medication_days):
    limits = {
        "non_opioid_analgesic": 15,
        "triptan": 10,
        "ergot": 10,
        "opioid": 10,
        "combination_analgesic": 10,
        "other_acute": 10,
    }
    reasons = [c for c in ACUTE_CLASSES if medication_days[c] >= limits[c]]
    if reasons:
        return reasons
    if sum(medication_days[c] > 0 for c in ACUTE_CLASSES) >= 2 and medication_days["acute"] >= 10:
        return ["multiple_classes"]
    return []


def naive_month_span(year, month):
    first = date(year, month, 1)
    last = first
    while (last + ONE_DAY).month == month:
        last += ONE_DAY
    return first, last


def naive_month(by_date, year, month):
    first, last = naive_month_span(year, month)
    figures = naive_figures(by_date, first, last)
    return {
        "month": f"{year:04d}-{month:02d}",
        "days_in_month": (last - first).days + 1,
        "days_logged": figures["days_logged"],
        "headache_days": figures["headache_days"],
        "moderate_severe_days": figures["moderate_severe_days"],
        "mean_peak_intensity": figures["mean_peak_intensity"],
        "medication_days": figures["medication_days"],
        "overuse_reasons": naive_reasons(figures["medication_days"]),
    }


def month_before(year, month):
    last_of_previous = date(year, month, 1) - ONE_DAY
    return last_of_previous.year, last_of_previous.month


def naive_status(by_date, today):
    rolling = naive_figures(by_date, today - timedelta(days=29), today)
    rolling_reasons = naive_reasons(rolling["medication_days"])
    previous = []
    year, month = today.year, today.month
    for _ in range(3):
        year, month = month_before(year, month)
        previous.append(naive_month(by_date, year, month))
    if all(m["overuse_reasons"] for m in previous) and previous[0]["headache_days"] >= 15:
        status = "ichd3_pattern"
    elif rolling_reasons or previous[0]["overuse_reasons"]:
        status = "overuse"
    elif rolling["medication_days"]["acute"] >= 8:
        status = "approaching"
    elif rolling["days_with_record"] >= 21:
        status = "none"
    else:
        status = "not_enough_diary"
    consecutive = 0
    year, month = month_before(today.year, today.month)
    while naive_month(by_date, year, month)["overuse_reasons"]:
        consecutive += 1
        year, month = month_before(year, month)
    return {
        "status": status,
        "rolling_30": {
            "from_date": rolling["from_date"],
            "to_date": rolling["to_date"],
            "days_logged": rolling["days_logged"],
            "days_with_record": rolling["days_with_record"],
            "headache_days": rolling["headache_days"],
            "medication_days": rolling["medication_days"],
            "overuse_reasons": rolling_reasons,
        },
        "consecutive_overuse_months": consecutive,
    }


def counted(sessions, today):
    return sorted((s for s in sessions if s.date <= today), key=lambda s: s.date)


FIGURE_KEYS = (
    "days_logged",
    "headache_days",
    "moderate_severe_days",
    "acute_medication_days",
    "mean_peak_intensity",
)


def naive_progress(by_date, sessions, today):
    sessions = counted(sessions, today)
    if not sessions:
        return {"first_session_date": None, "baseline": None, "periods": []}
    first_session = sessions[0].date
    base = naive_figures(by_date, first_session - timedelta(days=28), first_session - ONE_DAY)
    base_per_28 = per_28(base["headache_days"], base["days_logged"], 14)
    baseline = {
        "from_date": base["from_date"],
        "to_date": base["to_date"],
        **{key: base[key] for key in FIGURE_KEYS},
        "headache_days_per_28": shown(base_per_28),
    }
    periods = []
    k = 1
    while first_session + timedelta(days=28 * (k - 1)) <= today:
        first = first_session + timedelta(days=28 * (k - 1))
        last = first_session + timedelta(days=28 * k - 1)
        figures = naive_figures(by_date, first, last, today)
        period_per_28 = per_28(figures["headache_days"], figures["days_logged"], 14)
        complete = last < today
        change = None
        if complete and period_per_28 is not None and base_per_28:
            change = half_up(100 * (period_per_28 - base_per_28) / base_per_28, 1)
        flags_known = change is not None and base_per_28 >= 4
        periods.append(
            {
                "index": k,
                "from_date": first,
                "to_date": last,
                "complete": complete,
                **{key: figures[key] for key in FIGURE_KEYS},
                "headache_days_per_28": shown(period_per_28),
                "change_pct": change,
                "responder_50": change <= -50 if flags_known else None,
                "responder_30": change <= -30 if flags_known else None,
            }
        )
        k += 1
    return {"first_session_date": first_session, "baseline": baseline, "periods": periods}


def naive_window(by_date, first, last, today):
    figures = naive_figures(by_date, first, last, today)
    soreness = [
        by_date[on].soreness
        for on in dates_from(first, last)
        if on in by_date and on <= today and by_date[on].soreness is not None
    ]
    days = (last - first).days + 1
    logged = figures["days_logged"]
    return {
        "from_date": first,
        "to_date": last,
        "days_logged": logged,
        "headache_days": figures["headache_days"],
        "headache_days_per_28": None
        if logged == 0 or 2 * logged < days
        else shown(Fraction(28 * figures["headache_days"], logged)),
        "mean_peak_intensity": figures["mean_peak_intensity"],
        "acute_medication_days": figures["acute_medication_days"],
        "max_soreness": max(soreness) if soreness else None,
        "complete": last < today,
    }


def naive_soreness(by_date, s, after_end, following, today, window=14):
    resolved = None
    for d in range(1, window + 1):
        on = s + timedelta(days=d)
        if on > after_end or on > today:
            break
        if on in by_date and by_date[on].soreness is not None and by_date[on].soreness <= 1:
            resolved = d
            break
    span_end = s + timedelta(days=7)
    if following is not None and following - ONE_DAY < span_end:
        span_end = following - ONE_DAY
    scores = [
        by_date[on].soreness
        for on in dates_from(s + timedelta(days=4), span_end)
        if on <= today and on in by_date and by_date[on].soreness is not None
    ]
    if any(score >= 4 for score in scores):
        prolonged = True
    elif span_end < today and scores:
        prolonged = False
    else:
        prolonged = None
    return resolved, prolonged


def neighbours(sessions, s):
    earlier = [other.date for other in sessions if other.date < s]
    later = [other.date for other in sessions if other.date > s]
    return (max(earlier) if earlier else None), (min(later) if later else None)


def naive_effects(by_date, sessions, window, today):
    sessions = counted(sessions, today)
    effects = []
    for session in sessions:
        s = session.date
        previous, following = neighbours(sessions, s)
        before_start = s - timedelta(days=window)
        if previous is not None and previous >= before_start:
            before_start = previous + ONE_DAY
        after_end = s + timedelta(days=window)
        if following is not None and following <= after_end:
            after_end = following - ONE_DAY
        resolved, prolonged = naive_soreness(by_date, s, after_end, following, today, window)
        effects.append(
            {
                "session_id": session.id,
                "date": s,
                "before": naive_window(by_date, before_start, s - ONE_DAY, today),
                "after": naive_window(by_date, s + ONE_DAY, after_end, today),
                "soreness_resolved_day": resolved,
                "prolonged_soreness": prolonged,
            }
        )
    return effects


def naive_summary(by_date, sessions, today):
    progress = naive_progress(by_date, sessions, today)
    complete = [p for p in progress["periods"] if p["complete"]]
    summary = {
        "as_of": today,
        "first_session_date": progress["first_session_date"],
        "baseline": progress["baseline"],
        "latest_complete_period": complete[-1] if complete else None,
        "medication_overuse": naive_status(by_date, today),
        "last_session": None,
        "since_last_session": None,
        "before_last_session": None,
        "soreness_resolved_day": None,
        "prolonged_soreness": None,
    }
    earlier = [s for s in counted(sessions, today) if s.date < today]
    if not earlier:
        return summary
    last = earlier[-1]
    previous, following = neighbours(counted(sessions, today), last.date)
    after_end = last.date + timedelta(days=14)
    if following is not None and following <= after_end:
        after_end = following - ONE_DAY
    resolved, prolonged = naive_soreness(by_date, last.date, after_end, following, today)
    yesterday = today - ONE_DAY
    count = min((yesterday - last.date).days, 56)
    summary.update(
        last_session={"id": last.id, "date": last.date},
        soreness_resolved_day=resolved,
        prolonged_soreness=prolonged,
    )
    if count:
        before_from = last.date - timedelta(days=count)
        if previous is not None and previous >= before_from:
            before_from = previous + ONE_DAY
        summary["since_last_session"] = naive_window(
            by_date, yesterday - timedelta(days=count - 1), yesterday, today
        )
        summary["before_last_session"] = naive_window(by_date, before_from, last.date - ONE_DAY, today)
    return summary


def plain(value):
    """Engine results as plain dicts and lists, to compare with the naive side."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    value = asdict(value) if hasattr(value, "__dataclass_fields__") else value
    return _lists(value)


def _lists(value):
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    return value


# --- properties -------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(diaries())
def test_month_rows_match_the_naive_rules(diary):
    start, span, days, _, _ = diary
    by_date = {day.date: day for day in days}
    first, last = start - timedelta(days=35), start + timedelta(days=span + 35)

    rows = month_rows(days, first, last)

    expected = []
    on = first.replace(day=1)
    while on <= last:
        expected.append(naive_month(by_date, on.year, on.month))
        on = naive_month_span(on.year, on.month)[1] + ONE_DAY
    assert plain(rows) == expected


@PROPERTY_SETTINGS
@given(diaries())
def test_medication_overuse_status_matches_the_naive_rules(diary):
    _, _, days, _, today = diary
    by_date = {day.date: day for day in days}

    result = plain(medication_overuse_status(days, today))

    assert result.pop("message")
    assert result == naive_status(by_date, today)


@PROPERTY_SETTINGS
@given(diaries())
def test_follow_up_summary_matches_the_naive_rules(diary):
    _, _, days, sessions, today = diary
    by_date = {day.date: day for day in days}

    result = plain(follow_up_summary(days, sessions, today))

    assert result["medication_overuse"].pop("message")
    assert result == naive_summary(by_date, sessions, today)


@PROPERTY_SETTINGS
@given(diaries())
def test_progress_matches_the_naive_rules(diary):
    _, _, days, sessions, today = diary
    by_date = {day.date: day for day in days}

    result = plain(treatment_progress(days, sessions, today))

    assert result == naive_progress(by_date, sessions, today)


@PROPERTY_SETTINGS
@given(diaries(), st.integers(1, 56))
def test_session_effects_match_the_naive_rules(diary, window):
    _, _, days, sessions, today = diary
    by_date = {day.date: day for day in days}

    result = plain(session_effects(days, sessions, today, window))

    assert result == naive_effects(by_date, sessions, window, today)


@PROPERTY_SETTINGS
@given(diaries(), st.integers(1, 56))
def test_rules_read_nothing_outside_their_loading_ranges(diary, window):
    _, _, days, sessions, today = diary

    def within(first, last=None):
        return [day for day in days if first <= day.date and (last is None or day.date <= last)]

    status = medication_overuse_status(within(*overuse_window(today)), today)
    full_status = medication_overuse_status(days, today)
    assert (status.status, status.rolling_30) == (full_status.status, full_status.rolling_30)
    first = baseline_start(sessions, today)
    progress_days = within(first) if first else []
    effects_range = effects_window(sessions, window, today)
    effects_days = within(*effects_range) if effects_range else []
    assert treatment_progress(progress_days, sessions, today) == treatment_progress(days, sessions, today)
    assert session_effects(effects_days, sessions, today, window) == session_effects(
        days, sessions, today, window
    )

    # The count of overuse months in a row: exact from the overuse window while under three,
    # and from per-month class days (as SQL counts them) over the whole diary.
    in_a_row = consecutive_overuse_months(days, today)
    windowed = consecutive_overuse_months(within(*overuse_window(today)), today)
    assert windowed == in_a_row if windowed < 3 else in_a_row >= 3
    months = {Month.of(day.date) for day in days if day.drug_classes}
    by_month = {
        month: period_figures(days, month.first_day, month.last_day).medication_days for month in months
    }
    assert overuse_months_in_a_row(by_month, today) == in_a_row

    def within_ranges(ranges):
        return [day for day in days if any(first <= day.date <= last for first, last in ranges)]

    full_summary = follow_up_summary(days, sessions, today)
    assert (
        follow_up_summary(within_ranges(follow_up_ranges(sessions, today)), sessions, today, in_a_row)
        == full_summary
    )
    picture_days = within_ranges(picture_ranges(sessions, today))
    assert follow_up_summary(picture_days, sessions, today, in_a_row) == full_summary
    assert treatment_progress(picture_days, sessions, today) == treatment_progress(days, sessions, today)
    assert session_effects(picture_days, sessions, today) == session_effects(days, sessions, today)
