"""When a reminder is due and what it says (docs/reminders.md): pure functions of the set time,
the patient's zone and the instant, so the clock-change days and the far-off zones are tested
without a database or a clock. diary/operations/reminders.py sends them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CHANNELS = ("push", "email")
# Catching up: the days before today looked back on, and how many of them missing make the
# reminder link to the catch-up page instead of Today.
CATCH_UP_DAYS = 7
CATCH_UP_FROM = 2
TITLE = "Time for your headache diary"
# What a reminder says. Nothing about the patient's health: a lock screen or an inbox shows it.
WORDS = {
    "today": "How was today? It takes a few taps.",
    "catch_up": "A few days are not filled in yet. Catch up in a few taps.",
}


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def reminder_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The first instant (UTC) at which the wall clock in `zone` reads `at` or later on `day`.

    A time that happens twice (clocks going back) is its first occurrence; a time that never
    happens (clocks going forward) is the first instant after the gap."""
    wanted = datetime.combine(day, at)
    first = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)  # fold=0: the earlier reading
    if _wall(first, zone) == wanted:
        return first
    # In a gap: fold=0 reads it with the offset before the change, fold=1 with the one after;
    # the change itself lies between them, where the wall clock jumps past `at`.
    low = datetime.combine(day, at, tzinfo=zone).replace(fold=1).astimezone(UTC)
    low, high = min(low, first), max(low, first)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if _wall(middle, zone) >= wanted:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def due_date(at: time, zone: ZoneInfo, now: datetime, active_from: datetime) -> date | None:
    """The patient's local date whose reminder is due at `now`, or None.

    Due once the set time has come on the patient's today, unless it came before the reminder
    was set (a time already past when it was saved waits for tomorrow)."""
    today = now.astimezone(zone).date()
    instant = reminder_instant(today, at, zone)
    return today if active_from <= instant <= now else None


def catch_up_window(today: date, diary_start: date) -> tuple[date, date]:
    """The days before today that catching up looks at: the last CATCH_UP_DAYS, none before the
    diary started (the earlier of the day the patient joined and their first day logged; the
    window is empty, first > last, when that is today)."""
    return max(today - timedelta(days=CATCH_UP_DAYS), diary_start), today - timedelta(days=1)


def days_missing(first: date, last: date, logged: set[date]) -> list[date]:
    """The dates from `first` to `last` that are not logged, newest first."""
    days = (last - timedelta(days=n) for n in range((last - first).days + 1))
    return [day for day in days if day not in logged]


def reminder_message(catch_up: bool) -> dict[str, str]:
    """What a reminder says and where a tap on it goes (a page's endpoint)."""
    return {
        "title": TITLE,
        "body": WORDS["catch_up" if catch_up else "today"],
        "endpoint": "web.catch_up" if catch_up else "web.today",
    }
