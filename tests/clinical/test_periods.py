"""Days, headache days, intensity and medication days of a date range (sections 1-3)."""

from datetime import date, timedelta

import pytest

from diary.clinical import (
    ACUTE_CLASSES,
    ALL_CLASSES,
    DayFacts,
    index_days,
    medication_overuse_status,
    month_rows,
    period_figures,
)
from diary.clinical.periods import Month, round_half_up

from . import facts

JAN_1 = date(2027, 1, 1)
JAN_28 = date(2027, 1, 28)


def test_class_constants_follow_the_rules_table():
    assert ACUTE_CLASSES == facts.ACUTE_CLASSES
    assert ALL_CLASSES == facts.DRUG_CLASSES


def test_unanswered_records_are_missing_for_headaches_but_count_medication(make_day):
    days = [
        make_day(JAN_1, headaches=1),
        make_day(JAN_1 + timedelta(days=1), logged=False, classes=["triptan", "other"]),
        make_day(JAN_1 + timedelta(days=2)),
    ]

    figures = period_figures(days, JAN_1, JAN_28)

    assert (figures.days_logged, figures.days_with_record) == (2, 3)
    assert figures.headache_days == 1
    assert figures.acute_medication_days == 1
    assert figures.medication_days.triptan == figures.medication_days.other == 1


def test_missing_days_are_never_counted_as_headache_free(make_day):
    days = [make_day(JAN_1, headaches=1), make_day(JAN_1 + timedelta(days=27))]

    figures = period_figures(days, JAN_1, JAN_28)

    assert figures.days_logged == 2
    assert figures.headache_days == 1
    assert figures.days_logged - figures.headache_days == 1  # only the one confirmed day


def test_no_data_gives_zero_figures_and_no_mean():
    figures = period_figures([], JAN_1, JAN_28)

    assert (figures.from_date, figures.to_date) == (JAN_1, JAN_28)
    assert figures.days_logged == figures.headache_days == figures.acute_medication_days == 0
    assert figures.mean_peak_intensity is None
    assert figures.medication_days.acute == 0


def test_days_outside_the_range_are_left_out(make_day):
    days = [
        make_day(JAN_1 - timedelta(days=1), headaches=1),
        make_day(JAN_1, headaches=1),
        make_day(JAN_28, headaches=1),
        make_day(JAN_28 + timedelta(days=1), headaches=1),
    ]

    assert period_figures(days, JAN_1, JAN_28).headache_days == 2


def test_soreness_never_counts_as_a_headache(make_day):
    figures = period_figures([make_day(JAN_1, soreness=9)], JAN_1, JAN_1)

    assert figures.days_logged == 1
    assert figures.headache_days == 0


@pytest.mark.parametrize(("peak", "moderate_severe"), [(1, 0), (3, 0), (4, 1), (6, 1), (7, 1), (10, 1)])
def test_moderate_severe_day_has_peak_four_or_more(make_day, peak, moderate_severe):
    figures = period_figures([make_day(JAN_1, headaches=1, peak=peak)], JAN_1, JAN_1)

    assert figures.moderate_severe_days == moderate_severe


def test_several_headaches_on_one_day_are_one_headache_day(make_day):
    figures = period_figures([make_day(JAN_1, headaches=3, peak=8)], JAN_1, JAN_1)

    assert figures.headache_days == 1
    assert figures.mean_peak_intensity == 8.0


@pytest.mark.parametrize(
    ("peaks", "mean"),
    [
        ([5], 5.0),
        ([1, 2], 1.5),
        ([1, 1, 2], 1.33),
        ([1, 2, 2], 1.67),
        ([1, 1, 1, 1, 1, 1, 1, 2], 1.13),  # 1.125: half up, where round() would give 1.12
        ([3, 3, 3, 3, 3, 3, 3, 4], 3.13),  # 3.125
        ([10] * 27, 10.0),
    ],
)
def test_mean_peak_intensity_is_over_headache_days_rounded_half_up(make_day, peaks, mean):
    days = [make_day(JAN_1 + timedelta(days=i), headaches=1, peak=p) for i, p in enumerate(peaks)]
    days.append(make_day(JAN_28))  # a headache-free day does not lower the mean

    assert period_figures(days, JAN_1, JAN_28).mean_peak_intensity == mean


def test_two_drugs_of_one_class_on_one_day_are_one_class_day(make_day):
    day = make_day(JAN_1, classes=["non_opioid_analgesic", "non_opioid_analgesic"])

    medication = period_figures([day], JAN_1, JAN_1).medication_days

    assert medication.non_opioid_analgesic == 1
    assert medication.acute == 1


def test_two_classes_on_one_day_count_for_each_class_and_once_as_acute(make_day):
    day = make_day(JAN_1, classes=["non_opioid_analgesic", "triptan"])

    figures = period_figures([day], JAN_1, JAN_1)

    assert figures.medication_days.non_opioid_analgesic == 1
    assert figures.medication_days.triptan == 1
    assert figures.medication_days.acute == 1
    assert figures.acute_medication_days == 1


def test_other_class_is_counted_but_never_acute(make_day):
    figures = period_figures([make_day(JAN_1, classes=["other"])], JAN_1, JAN_1)

    assert figures.medication_days.other == 1
    assert figures.medication_days.acute == 0
    assert figures.acute_medication_days == 0


@pytest.mark.parametrize(
    ("numerator", "denominator", "places", "rounded"),
    [
        (12345, 1000, 2, 12.35),
        (-12345, 1000, 2, -12.35),
        (-125, 1000, 2, -0.13),
        (1, 3, 1, 0.3),
        (2, 3, 2, 0.67),
        (-100, 3, 1, -33.3),
        (-200, 3, 1, -66.7),
        (-25, 2, 0, -13.0),
    ],
)
def test_round_half_up_rounds_halves_away_from_zero(numerator, denominator, places, rounded):
    assert round_half_up(numerator, denominator, places) == rounded


@pytest.mark.parametrize(
    "bad_day",
    [
        DayFacts(JAN_1, 0, 3, frozenset(), None),
        DayFacts(JAN_1, 1, 0, frozenset(), None),
        DayFacts(JAN_1, 1, 11, frozenset(), None),
        DayFacts(JAN_1, -1, 0, frozenset(), None),
        DayFacts(JAN_1, 0, 0, frozenset({"aspirin"}), None),
        DayFacts(JAN_1, 0, 0, frozenset(), 11),
    ],
)
def test_inconsistent_day_facts_are_rejected(bad_day):
    with pytest.raises(ValueError):
        index_days([bad_day])


def test_two_records_for_one_date_are_rejected(make_day):
    with pytest.raises(ValueError, match="one day record per date"):
        index_days([make_day(JAN_1), make_day(JAN_1, headaches=1)])


def test_index_finds_days_in_any_input_order(make_day):
    days = [make_day(JAN_28), make_day(JAN_1, headaches=1), make_day(JAN_1 + timedelta(days=5))]

    index = index_days(days)

    assert [day.date for day in index.between(JAN_1, JAN_28)] == [JAN_1, JAN_1 + timedelta(days=5), JAN_28]
    assert index.get(JAN_1).headache_count == 1
    assert index.get(JAN_1 + timedelta(days=1)) is None
    assert index.first_date == JAN_1
    assert index_days(index) is index


@pytest.mark.parametrize(
    ("year", "month", "days", "last_day"),
    [
        (2027, 1, 31, date(2027, 1, 31)),
        (2027, 2, 28, date(2027, 2, 28)),
        (2028, 2, 29, date(2028, 2, 29)),
        (2100, 2, 28, date(2100, 2, 28)),
        (2000, 2, 29, date(2000, 2, 29)),
        (2027, 4, 30, date(2027, 4, 30)),
        (2027, 12, 31, date(2027, 12, 31)),
    ],
)
def test_month_knows_its_length_including_leap_years(year, month, days, last_day):
    assert Month(year, month).days == days
    assert Month(year, month).last_day == last_day


@pytest.mark.parametrize(
    ("start", "shift", "expected"),
    [
        (Month(2027, 1), -1, Month(2026, 12)),
        (Month(2027, 12), 1, Month(2028, 1)),
        (Month(2027, 3), -3, Month(2026, 12)),
        (Month(2027, 3), 0, Month(2027, 3)),
        (Month(2027, 1), -25, Month(2024, 12)),
    ],
)
def test_month_shift_crosses_year_boundaries(start, shift, expected):
    assert start.shift(shift) == expected


def test_rules_give_the_same_answers_from_facts_or_from_a_prebuilt_index(make_days):
    days = make_days(JAN_1, 40, headaches=1, peak=6, classes=["triptan"], soreness=2)
    index = index_days(days)

    assert month_rows(index, JAN_1, JAN_28 + timedelta(days=40)) == month_rows(
        days, JAN_1, JAN_28 + timedelta(days=40)
    )
    assert medication_overuse_status(index, JAN_28) == medication_overuse_status(days, JAN_28)
