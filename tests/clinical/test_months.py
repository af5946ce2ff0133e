"""One row per calendar month (sections 1-4)."""

from datetime import date, timedelta

import pytest

from diary.clinical import month_rows


def test_one_row_per_month_across_a_year_boundary_with_days_in_month():
    rows = month_rows([], date(2027, 11, 15), date(2028, 3, 2))

    assert [(row.month, row.days_in_month) for row in rows] == [
        ("2027-11", 30),
        ("2027-12", 31),
        ("2028-01", 31),
        ("2028-02", 29),
        ("2028-03", 31),
    ]


def test_single_month_when_first_and_last_are_the_same_month():
    assert [row.month for row in month_rows([], date(2027, 2, 1), date(2027, 2, 28))] == ["2027-02"]


def test_last_month_before_first_month_is_rejected():
    with pytest.raises(ValueError):
        month_rows([], date(2027, 3, 1), date(2027, 2, 28))


def test_days_fall_in_their_own_month_at_month_and_year_edges(make_day):
    days = [
        make_day(date(2027, 12, 31), headaches=1, peak=9, classes=["triptan"]),
        make_day(date(2028, 1, 1), headaches=1, peak=2),
        make_day(date(2028, 1, 31)),
        make_day(date(2028, 2, 1), classes=["opioid"]),
    ]

    dec, jan, feb = month_rows(days, date(2027, 12, 1), date(2028, 2, 1))

    assert (dec.days_logged, dec.headache_days, dec.moderate_severe_days) == (1, 1, 1)
    assert dec.medication_days.triptan == 1
    assert (jan.days_logged, jan.headache_days, jan.moderate_severe_days) == (2, 1, 0)
    assert jan.mean_peak_intensity == 2.0
    assert jan.medication_days.acute == 0
    assert (feb.days_logged, feb.headache_days) == (1, 0)
    assert feb.mean_peak_intensity is None
    assert feb.medication_days.opioid == feb.medication_days.acute == 1


def test_leap_day_is_counted_in_february_2028(make_days):
    days = make_days(date(2028, 2, 1), 29, headaches=1, peak=6, classes=["non_opioid_analgesic"])

    feb, mar = month_rows(days, date(2028, 2, 1), date(2028, 3, 1))

    assert feb.days_in_month == feb.days_logged == feb.headache_days == 29
    assert feb.moderate_severe_days == 29
    assert feb.mean_peak_intensity == 6.0
    assert feb.overuse_reasons == ("non_opioid_analgesic",)
    assert mar.days_logged == 0


def test_unlogged_month_has_zero_days_and_no_reasons():
    (row,) = month_rows([], date(2027, 6, 1), date(2027, 6, 1))

    assert row.days_logged == row.headache_days == row.moderate_severe_days == 0
    assert row.mean_peak_intensity is None
    assert row.medication_days.acute == 0
    assert row.overuse_reasons == ()


def test_month_rows_report_all_classes_and_acute(make_day):
    start = date(2027, 7, 1)
    days = [
        make_day(start, classes=["non_opioid_analgesic", "other"]),
        make_day(start + timedelta(days=1), classes=["ergot", "combination_analgesic"]),
        make_day(start + timedelta(days=2), classes=["other"]),
    ]

    (row,) = month_rows(days, start, start)

    medication = row.medication_days
    assert (
        medication.non_opioid_analgesic,
        medication.triptan,
        medication.ergot,
        medication.opioid,
        medication.combination_analgesic,
        medication.other,
        medication.acute,
    ) == (1, 0, 1, 0, 1, 2, 2)


def test_multiple_classes_month(make_days):
    days = make_days(date(2027, 8, 1), 6, classes=["non_opioid_analgesic"])
    days += make_days(date(2027, 8, 7), 4, classes=["opioid"])

    (row,) = month_rows(days, date(2027, 8, 1), date(2027, 8, 1))

    assert row.medication_days.acute == 10
    assert row.overuse_reasons == ("multiple_classes",)
