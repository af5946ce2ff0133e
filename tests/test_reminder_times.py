"""When a reminder is due (diary/reminders.py, docs/reminders.md): pure functions, so every edge
day is pinned here at fixed instants, with no database and no clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from diary.reminders import (
    catch_up_window,
    days_missing,
    due_date,
    reminder_instant,
    reminder_message,
)

from .clock import utc

LONDON = ZoneInfo("Europe/London")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14
PAGO_PAGO = ZoneInfo("Pacific/Pago_Pago")  # UTC-11
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)  # reminders set long before


@pytest.mark.parametrize(
    ("zone", "day", "at", "instant"),
    [
        (LONDON, date(2026, 12, 1), time(20, 0), utc(2026, 12, 1, 20, 0)),  # GMT
        (LONDON, date(2026, 7, 1), time(20, 0), utc(2026, 7, 1, 19, 0)),  # BST
        # 29 March 2026: 01:00-02:00 does not exist in London; 01:30 comes at 02:00 BST.
        (LONDON, date(2026, 3, 29), time(1, 30), utc(2026, 3, 29, 1, 0)),
        (LONDON, date(2026, 3, 29), time(2, 0), utc(2026, 3, 29, 1, 0)),
        (LONDON, date(2026, 3, 29), time(0, 59), utc(2026, 3, 29, 0, 59)),
        # 25 October 2026: 01:00-02:00 happens twice; 01:30 is the first, in BST.
        (LONDON, date(2026, 10, 25), time(1, 30), utc(2026, 10, 25, 0, 30)),
        (LONDON, date(2026, 10, 25), time(2, 0), utc(2026, 10, 25, 2, 0)),
        (KIRITIMATI, date(2026, 12, 2), time(8, 0), utc(2026, 12, 1, 18, 0)),
        (PAGO_PAGO, date(2026, 12, 1), time(8, 0), utc(2026, 12, 1, 19, 0)),
    ],
)
def test_the_reminder_comes_at_the_patients_own_wall_clock_time(zone, day, at, instant):
    assert reminder_instant(day, at, zone) == instant


@pytest.mark.parametrize(
    ("zone", "at", "now", "due"),
    [
        (LONDON, time(20, 0), utc(2026, 12, 1, 19, 59, 59), None),
        (LONDON, time(20, 0), utc(2026, 12, 1, 20, 0), date(2026, 12, 1)),
        (LONDON, time(20, 0), utc(2026, 12, 1, 23, 59), date(2026, 12, 1)),
        # Clocks forward: not before the gap, at its end, and still due later that day.
        (LONDON, time(1, 30), utc(2026, 3, 29, 0, 59, 59), None),
        (LONDON, time(1, 30), utc(2026, 3, 29, 1, 0), date(2026, 3, 29)),
        (LONDON, time(1, 30), utc(2026, 3, 29, 1, 30), date(2026, 3, 29)),
        # Clocks back: due from the first 01:30; the second is the same local date (sent once).
        (LONDON, time(1, 30), utc(2026, 10, 25, 0, 29), None),
        (LONDON, time(1, 30), utc(2026, 10, 25, 0, 30), date(2026, 10, 25)),
        (LONDON, time(1, 30), utc(2026, 10, 25, 1, 30), date(2026, 10, 25)),
        # UTC+14: 08:00 on 2 December is 18:00 UTC on 1 December.
        (KIRITIMATI, time(8, 0), utc(2026, 12, 1, 17, 59), None),
        (KIRITIMATI, time(8, 0), utc(2026, 12, 1, 18, 0), date(2026, 12, 2)),
        (KIRITIMATI, time(8, 0), utc(2026, 12, 1, 9, 59), date(2026, 12, 1)),  # 23:59 on the 1st
        (KIRITIMATI, time(8, 0), utc(2026, 12, 1, 10, 0), None),  # 00:00 on the 2nd
        # UTC-11: 08:00 on 1 December is 19:00 UTC; at 10:59 UTC on the 2nd it is still the 1st.
        (PAGO_PAGO, time(8, 0), utc(2026, 12, 1, 18, 59), None),
        (PAGO_PAGO, time(8, 0), utc(2026, 12, 1, 19, 0), date(2026, 12, 1)),
        (PAGO_PAGO, time(8, 0), utc(2026, 12, 2, 10, 59), date(2026, 12, 1)),
        (PAGO_PAGO, time(8, 0), utc(2026, 12, 2, 11, 0), None),
    ],
)
def test_a_reminder_is_due_once_its_time_has_come_on_the_patients_today(zone, at, now, due):
    assert due_date(at, zone, now, LONG_AGO) == due


def test_a_time_already_past_when_the_reminder_was_set_waits_for_tomorrow():
    at, set_at = time(8, 0), utc(2026, 12, 1, 21, 0)
    assert due_date(at, LONDON, utc(2026, 12, 1, 21, 1), set_at) is None
    assert due_date(at, LONDON, utc(2026, 12, 2, 8, 0), set_at) == date(2026, 12, 2)
    # Set a minute ahead: due that same minute.
    assert due_date(time(21, 1), LONDON, utc(2026, 12, 1, 21, 1), set_at) == date(2026, 12, 1)


def test_the_catch_up_window_is_the_week_before_today_since_the_diary_started():
    today = date(2026, 12, 10)
    assert catch_up_window(today, date(2025, 1, 1)) == (date(2026, 12, 3), date(2026, 12, 9))
    assert catch_up_window(today, date(2026, 12, 8)) == (date(2026, 12, 8), date(2026, 12, 9))
    first, last = catch_up_window(today, today)
    assert first > last  # started today: nothing to catch up


def test_missing_days_are_the_window_days_not_logged_newest_first():
    first, last = date(2026, 12, 3), date(2026, 12, 9)
    logged = {date(2026, 12, 3) + timedelta(days=n) for n in (0, 1, 3, 5)}
    assert days_missing(first, last, logged) == [date(2026, 12, 9), date(2026, 12, 7), date(2026, 12, 5)]


def test_a_reminder_says_nothing_about_health_and_links_today_or_catch_up():
    today, catch_up = reminder_message(False), reminder_message(True)
    assert today["endpoint"] == "web.today" and catch_up["endpoint"] == "web.catch_up"
    for message in (today, catch_up):
        assert message["title"] == "Time for your headache diary"
        assert not any(word in message["body"].lower() for word in ("pain", "medic", "migraine", "worst"))
