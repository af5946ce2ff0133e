"""The tests' clock: what "now" and "today" are while the suite runs.

The app reads the time in this process only, through `datetime.now(UTC)` (`diary.models.utcnow`,
`User.today()`), so time-machine can move it. Normally the suite runs at the real time. With
`DIARY_TEST_NOW` set to an ISO 8601 instant with its offset (`2027-01-01T00:30:00+00:00`),
tests/conftest.py starts `time_machine.travel(instant, tick=True)` in `pytest_configure`, before
any test module is imported: the whole run happens as if it had started at that instant, and the
clock ticks on from there. `make test-dates` runs the suite so at each instant of its list.

Tests never read the date themselves (no `date.today()`, `datetime.now()`): they ask `today()` and
`now()` here, which read the same, possibly travelled, clock as the app. A test that needs a kind
of day the real calendar does not always give (yesterday in this month, say) moves there itself
with `stopped_at()` / `mid_month()`, so that it passes whatever the date.

Not travelled: code outside this process. Chromium (cookies, the service worker, its JavaScript
`Date`) and subprocess workers keep the real time, so tests marked `browser` or `real_clock`
do not run under `DIARY_TEST_NOW` (conftest skips them; `make test-dates` deselects them).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo

import time_machine

from diary.models import DEFAULT_TIMEZONE, User

ENV = "DIARY_TEST_NOW"
# The zone of a patient who did not choose one (and of every account the factories make).
DEFAULT_ZONE = ZoneInfo(DEFAULT_TIMEZONE)

_run_traveller: time_machine.travel | None = None


def instant_from_environment(environ=os.environ) -> datetime | None:
    """The instant `DIARY_TEST_NOW` names, or None when it is unset or empty."""
    text = environ.get(ENV, "").strip()
    if not text:
        return None
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{ENV}={text!r} is not an ISO 8601 instant (like 2027-01-01T00:30:00+00:00)"
        ) from None
    if instant.tzinfo is None:
        raise ValueError(f"{ENV}={text!r} has no offset: name an instant, like {instant.isoformat()}+00:00")
    return instant


def start_run_clock(instant: datetime) -> None:
    """Travel the whole run to `instant`; the clock keeps ticking from there."""
    global _run_traveller
    stop_run_clock()
    _run_traveller = time_machine.travel(instant, tick=True)
    _run_traveller.start()


def stop_run_clock() -> None:
    global _run_traveller
    if _run_traveller is not None:
        _run_traveller.stop()
        _run_traveller = None


def travelled() -> bool:
    """Whether this run's clock was moved by `DIARY_TEST_NOW`."""
    return _run_traveller is not None


def _zone(who: User | str | tzinfo | None) -> tzinfo:
    if who is None:
        return DEFAULT_ZONE
    if isinstance(who, User):
        return ZoneInfo(who.timezone)
    if isinstance(who, str):
        return ZoneInfo(who)
    return who


def utc(*args) -> datetime:
    """A fixed instant in UTC: utc(2026, 3, 29, 1, 0)."""
    return datetime(*args, tzinfo=UTC)


def now(who: User | str | tzinfo | None = UTC) -> datetime:
    """The current instant (travelled or not), aware, in UTC or in `who`'s zone."""
    return datetime.now(_zone(who))


def today(who: User | str | tzinfo | None = None) -> date:
    """Today's calendar date for `who`: a user (their own time zone, as the app counts their
    days), a zone name, or by default the zone of a patient who did not choose one."""
    return now(who).date()


@contextmanager
def stopped_at(day: date, at: time = time(12), zone: User | str | tzinfo | None = None) -> Iterator[datetime]:
    """Stop the clock at `at` on `day` in `zone` (default: a default patient's) for the block."""
    instant = datetime.combine(day, at, tzinfo=_zone(zone))
    # In UTC: given a ZoneInfo, time-machine would also change the process's TZ for the block.
    with time_machine.travel(instant.astimezone(UTC), tick=False):
        yield instant


@contextmanager
def mid_month() -> Iterator[datetime]:
    """Stop the clock at noon on the 15th of the current month (a default patient's): yesterday
    and the day before are in this month, and the month is not about to end."""
    with stopped_at(today().replace(day=15)) as instant:
        yield instant
