"""Medication overuse: reasons of a period, rolling 30 days and the patient's status (section 4)."""

from datetime import date, timedelta

import pytest

from diary.clinical import (
    MedicationDays,
    consecutive_overuse_months,
    medication_overuse_status,
    month_rows,
    overuse_reasons,
)
from diary.clinical.overuse import status_message

from .facts import DRUG_CLASSES

TODAY = date(2027, 5, 20)


def medication(**class_days):
    """Class days; acute is the count of acute days given, or the sum of the acute classes."""
    counts = dict.fromkeys(DRUG_CLASSES, 0)
    acute = class_days.pop("acute", None)
    counts.update(class_days)
    if acute is None:
        acute = sum(v for k, v in counts.items() if k != "other")
    return MedicationDays(**counts, acute=acute)


@pytest.mark.parametrize(
    ("drug_class", "class_days", "reasons"),
    [
        ("non_opioid_analgesic", 14, ()),
        ("non_opioid_analgesic", 15, ("non_opioid_analgesic",)),
        ("triptan", 9, ()),
        ("triptan", 10, ("triptan",)),
        ("ergot", 9, ()),
        ("ergot", 10, ("ergot",)),
        ("opioid", 9, ()),
        ("opioid", 10, ("opioid",)),
        ("combination_analgesic", 9, ()),
        ("combination_analgesic", 10, ("combination_analgesic",)),
        ("other_acute", 9, ()),
        ("other_acute", 10, ("other_acute",)),
        ("other", 31, ()),
    ],
)
def test_overuse_reasons_follow_ichd3_class_thresholds(drug_class, class_days, reasons):
    assert overuse_reasons(medication(**{drug_class: class_days})) == reasons


@pytest.mark.parametrize(
    ("class_days", "reasons"),
    [
        ({"non_opioid_analgesic": 6, "triptan": 5}, ("multiple_classes",)),
        ({"non_opioid_analgesic": 6, "triptan": 3}, ()),  # 9 acute days
        ({"non_opioid_analgesic": 9, "triptan": 1}, ("multiple_classes",)),
        ({"non_opioid_analgesic": 10, "other": 10}, ()),  # other is not an acute class
        ({"non_opioid_analgesic": 12, "acute": 12}, ()),  # one class only
        # both classes on the same days: 10 acute days, two classes
        ({"non_opioid_analgesic": 10, "opioid": 5, "acute": 10}, ("multiple_classes",)),
        ({"non_opioid_analgesic": 9, "opioid": 9, "acute": 9}, ()),
        # a single-class reason holds: multiple_classes is not added
        ({"non_opioid_analgesic": 15, "triptan": 5}, ("non_opioid_analgesic",)),
        ({"triptan": 10, "opioid": 4}, ("triptan",)),
        ({"triptan": 10, "opioid": 10, "ergot": 10}, ("triptan", "ergot", "opioid")),
        (
            {"non_opioid_analgesic": 20, "combination_analgesic": 12},
            ("non_opioid_analgesic", "combination_analgesic"),
        ),
        # other_acute (gepants, ditans) is an acute class too: it counts towards multiple_classes
        ({"non_opioid_analgesic": 6, "other_acute": 4}, ("multiple_classes",)),
        ({"other_acute": 9, "other": 9, "acute": 9}, ()),
    ],
)
def test_multiple_classes_only_when_no_single_class_reason_holds(class_days, reasons):
    assert overuse_reasons(medication(**class_days)) == reasons


@pytest.mark.parametrize(
    ("drug_class", "limit"),
    [
        ("non_opioid_analgesic", 15),
        ("triptan", 10),
        ("ergot", 10),
        ("opioid", 10),
        ("combination_analgesic", 10),
        ("other_acute", 10),
    ],
)
def test_month_becomes_overuse_month_at_the_class_threshold(make_days, drug_class, limit):
    below = make_days(date(2027, 3, 1), limit - 1, classes=[drug_class])
    at = make_days(date(2027, 4, 1), limit, classes=[drug_class])

    march, april = month_rows(below + at, date(2027, 3, 1), date(2027, 4, 1))

    assert march.overuse_reasons == ()
    assert april.overuse_reasons == (drug_class,)


def test_days_with_two_drugs_of_a_class_count_once_towards_the_threshold(make_days):
    days = make_days(date(2027, 3, 1), 9, classes=["triptan", "triptan"])

    (march,) = month_rows(days, date(2027, 3, 1), date(2027, 3, 1))

    assert march.medication_days.triptan == 9
    assert march.overuse_reasons == ()


def test_two_classes_on_the_same_days_count_for_both_classes(make_days):
    days = make_days(date(2027, 3, 1), 10, classes=["triptan", "opioid"])

    (march,) = month_rows(days, date(2027, 3, 1), date(2027, 3, 1))

    assert march.medication_days.acute == 10
    assert march.overuse_reasons == ("triptan", "opioid")


def test_other_medication_never_makes_overuse(make_days):
    days = make_days(date(2027, 3, 1), 31, classes=["other"])

    status = medication_overuse_status(days, date(2027, 3, 31))

    assert status.status == "none"
    assert status.rolling_30.medication_days.other == 30
    assert status.rolling_30.medication_days.acute == 0


# --- rolling 30 days ---------------------------------------------------------------------


def test_rolling_30_covers_today_and_the_29_days_before(make_day):
    days = [
        make_day(TODAY - timedelta(days=30), headaches=1),
        make_day(TODAY - timedelta(days=29), headaches=1),
        make_day(TODAY, headaches=1),
        make_day(TODAY + timedelta(days=1), headaches=1),
    ]

    rolling = medication_overuse_status(days, TODAY).rolling_30

    assert rolling.from_date == TODAY - timedelta(days=29)
    assert rolling.to_date == TODAY
    assert rolling.days_logged == 2
    assert rolling.headache_days == 2


@pytest.mark.parametrize(
    ("first_offset", "status"),
    [
        (29, "overuse"),  # ten triptan days from today-29 to today-20: all inside
        (30, "approaching"),  # from today-30: the first falls out, 9 left
    ],
)
def test_rolling_30_edge_decides_overuse(make_days, first_offset, status):
    # keep the last complete month clear: today is late enough in the month
    today = date(2027, 5, 31)
    days = make_days(today - timedelta(days=first_offset), 10, classes=["triptan"])

    result = medication_overuse_status(days, today)

    assert result.status == status


def test_rolling_30_crosses_a_year_boundary(make_days):
    today = date(2028, 1, 5)
    days = make_days(date(2027, 12, 27), 10, classes=["opioid"])

    result = medication_overuse_status(days, today)

    assert result.rolling_30.from_date == date(2027, 12, 7)
    assert result.rolling_30.overuse_reasons == ("opioid",)
    assert result.status == "overuse"


def test_rolling_30_over_a_leap_day(make_days):
    today = date(2028, 3, 1)
    days = make_days(date(2028, 2, 20), 11, classes=["combination_analgesic"])

    rolling = medication_overuse_status(days, today).rolling_30

    assert rolling.from_date == date(2028, 2, 1)  # 29 days back from March 1 in a leap year
    assert rolling.days_logged == 11
    assert rolling.overuse_reasons == ("combination_analgesic",)


# --- status --------------------------------------------------------------------------------


def overuse_month(make_days, month_start, days_in_month, headache_days):
    """Every day of the month logged with a triptan; the first headache_days with a headache."""
    days = make_days(month_start, headache_days, headaches=1, classes=["triptan"])
    days += make_days(
        month_start + timedelta(days=headache_days), days_in_month - headache_days, classes=["triptan"]
    )
    return days


def three_overuse_months(make_days, headache_days=(15, 15, 15)):
    feb = overuse_month(make_days, date(2027, 2, 1), 28, headache_days[0])
    mar = overuse_month(make_days, date(2027, 3, 1), 31, headache_days[1])
    apr = overuse_month(make_days, date(2027, 4, 1), 30, headache_days[2])
    return feb + mar + apr


def test_ichd3_pattern_when_last_three_months_are_overuse_with_15_headache_days(make_days):
    status = medication_overuse_status(three_overuse_months(make_days), TODAY)

    assert status.status == "ichd3_pattern"
    assert status.consecutive_overuse_months == 3
    assert "only a clinician can diagnose" in status.message.lower()
    assert "GP or therapist" in status.message


@pytest.mark.parametrize(
    ("headache_days", "expected"),
    [
        ((14, 15, 15), "ichd3_pattern"),
        ((0, 3, 15), "ichd3_pattern"),  # only the latest month's count matters
        ((15, 14, 15), "ichd3_pattern"),
        ((15, 15, 14), "overuse"),  # the last complete month is still an overuse month
        ((20, 20, 0), "overuse"),
    ],
)
def test_ichd3_pattern_needs_15_headache_days_in_the_latest_month(make_days, headache_days, expected):
    status = medication_overuse_status(three_overuse_months(make_days, headache_days), TODAY)

    assert status.status == expected


def test_ichd3_pattern_needs_each_month_to_be_an_overuse_month(make_days):
    days = three_overuse_months(make_days)
    # March: only 9 triptan days, still 15 headache days
    days = [d for d in days if d.date.month != 3]
    days += make_days(date(2027, 3, 1), 9, headaches=1, classes=["triptan"])
    days += make_days(date(2027, 3, 10), 6, headaches=1)

    status = medication_overuse_status(days, TODAY)

    assert status.status == "overuse"
    assert status.consecutive_overuse_months == 1


def test_ichd3_pattern_ignores_the_current_month(make_days):
    # Mar, Apr, May overuse with headaches, but today is in May: Feb is not overuse
    days = overuse_month(make_days, date(2027, 3, 1), 31, 20)
    days += overuse_month(make_days, date(2027, 4, 1), 30, 20)
    days += overuse_month(make_days, date(2027, 5, 1), 20, 20)

    status = medication_overuse_status(days, TODAY)

    assert status.status == "overuse"
    assert status.consecutive_overuse_months == 2


def test_ichd3_pattern_holds_over_a_year_boundary(make_days):
    days = overuse_month(make_days, date(2027, 11, 1), 30, 15)
    days += overuse_month(make_days, date(2027, 12, 1), 31, 15)
    days += overuse_month(make_days, date(2028, 1, 1), 31, 15)

    status = medication_overuse_status(days, date(2028, 2, 29))

    assert status.status == "ichd3_pattern"


def test_overuse_from_last_complete_month_alone(make_days):
    # ten triptan days at the start of April, none in the rolling 30 days before May 31
    days = make_days(date(2027, 4, 1), 10, classes=["triptan"])

    status = medication_overuse_status(days, date(2027, 5, 31))

    assert status.rolling_30.overuse_reasons == ()
    assert status.status == "overuse"


def test_overuse_in_an_older_month_alone_is_not_current_overuse(make_days):
    days = make_days(date(2027, 3, 1), 10, classes=["triptan"])
    days += make_days(date(2027, 5, 2), 30)  # a full diary for the rolling 30 days

    status = medication_overuse_status(days, date(2027, 5, 31))

    assert status.status == "none"
    assert status.consecutive_overuse_months == 0


def test_overuse_from_rolling_30_alone(make_days):
    days = make_days(date(2027, 5, 1), 15, classes=["non_opioid_analgesic"])

    status = medication_overuse_status(days, date(2027, 5, 15))

    assert status.status == "overuse"
    assert status.rolling_30.overuse_reasons == ("non_opioid_analgesic",)
    assert status.consecutive_overuse_months == 0


@pytest.mark.parametrize(("acute_days", "status"), [(7, "none"), (8, "approaching"), (9, "approaching")])
def test_approaching_from_8_acute_medication_days(make_days, acute_days, status):
    days = make_days(date(2027, 5, 10), acute_days, classes=["non_opioid_analgesic"])
    days += make_days(date(2027, 4, 21), 19)  # records on 19 + acute_days of the 30 days

    assert medication_overuse_status(days, TODAY).status == status


def test_approaching_counts_days_with_any_acute_class(make_days):
    days = make_days(date(2027, 5, 1), 4, classes=["triptan"])
    days += make_days(date(2027, 5, 5), 4, classes=["opioid", "other"])

    status = medication_overuse_status(days, TODAY)

    assert status.status == "approaching"
    assert str(8) in status.message


def test_no_data_has_status_not_enough_diary_and_asks_to_log():
    status = medication_overuse_status([], TODAY)

    assert status.status == "not_enough_diary"
    assert status.rolling_30.days_logged == 0
    assert status.rolling_30.overuse_reasons == ()
    assert status.consecutive_overuse_months == 0
    assert "log" in status.message.lower()


@pytest.mark.parametrize(("records", "status"), [(20, "not_enough_diary"), (21, "none"), (30, "none")])
def test_none_needs_a_record_on_21_of_the_30_days(make_days, records, status):
    assert (
        medication_overuse_status(make_days(TODAY - timedelta(days=records - 1), records), TODAY).status
        == status
    )


def test_unanswered_records_count_towards_21_days_but_are_not_logged(make_days):
    days = make_days(TODAY - timedelta(days=20), 21, logged=False, classes=["other"])

    status = medication_overuse_status(days, TODAY)

    assert status.status == "none"
    assert (status.rolling_30.days_with_record, status.rolling_30.days_logged) == (21, 0)


def test_unanswered_days_still_count_their_medication(make_days):
    days = make_days(TODAY - timedelta(days=9), 10, logged=False, classes=["triptan"])

    status = medication_overuse_status(days, TODAY)

    assert status.status == "overuse"
    assert status.rolling_30.medication_days.triptan == 10


@pytest.mark.parametrize(
    ("status_name", "words"),
    [
        (
            "ichd3_pattern",
            "Your diary shows a pattern doctors check for medication-overuse headache. "
            "Only a clinician can diagnose it.",
        ),
        (
            "overuse",
            "Taking painkillers or migraine medicines on many days can itself cause headaches. "
            "If you need them on more than two days a week, ask your GP or therapist about other "
            "options.",
        ),
        ("approaching", "If you need them on more than two days a week, ask your GP or therapist"),
        ("none", "within the usual advice"),
        ("not_enough_diary", "Log at least 21 days out of 30"),
    ],
)
def test_every_status_has_its_words_without_jargon(status_name, words):
    rolling = medication_overuse_status([], TODAY).rolling_30
    message = status_message(status_name, rolling)

    assert words in message
    for jargon in ("ICHD", "multiple_classes", "acute", "you have medication-overuse headache", "analgesic"):
        assert jargon.lower() not in message.lower()


# --- consecutive overuse months --------------------------------------------------------------


def test_consecutive_overuse_months_count_back_from_last_month_and_stop_at_a_gap(make_days):
    days = []
    for month_start in [
        date(2026, 11, 1),
        date(2026, 12, 1),  # a run before the gap
        date(2027, 2, 1),
        date(2027, 3, 1),
        date(2027, 4, 1),
    ]:
        days += make_days(month_start, 10, classes=["ergot"])
    days += make_days(date(2027, 5, 1), 10, classes=["ergot"])  # current month: not counted

    assert consecutive_overuse_months(days, TODAY) == 3


def test_consecutive_overuse_months_run_across_a_year_boundary(make_days):
    days = []
    for month_start in [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)]:
        days += make_days(month_start, 10, classes=["opioid"])

    assert consecutive_overuse_months(days, date(2027, 2, 3)) == 3


def test_consecutive_overuse_months_zero_when_last_month_is_not_overuse(make_days):
    days = make_days(date(2027, 3, 1), 10, classes=["opioid"])

    assert consecutive_overuse_months(days, TODAY) == 0
