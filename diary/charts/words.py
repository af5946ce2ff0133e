"""The words of the charts' summaries and labels: dates, spans and sessions in plain text."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date


def day_text(day: date) -> str:
    """"12 Mar 2026"."""
    return f"{day.day} {day:%b %Y}"


def month_text(label: str) -> str:
    """"Mar 2026" for the month label "2026-03"."""
    year, number = (int(part) for part in label.split("-"))
    return f"{date(year, number, 1):%b %Y}"


def span_text(first: date | None, last: date | None) -> str:
    """"1 Mar 2026 to 12 Mar 2026", one day, or "no dates"."""
    if first is None or last is None:
        return "no dates"
    if first == last:
        return day_text(first)
    return f"{day_text(first)} to {day_text(last)}"


def number_text(value: float) -> str:
    """One decimal place, the one format of every decimal in the charts: "5.1", "5.0"."""
    return f"{value:.1f}"


def mean_text(mean: float | None) -> str:
    """", average worst pain 4.5", or nothing without a mean."""
    return f", average worst pain {number_text(mean)}" if mean is not None else ""


def sessions_text(dates: Sequence[date]) -> str:
    """The sessions of a time chart's summary: the last 8 dates."""
    if not dates:
        return "No treatment session in this range."
    shown = ", ".join(day_text(d) for d in dates[-8:])
    more = f" (the last 8 of {len(dates)})" if len(dates) > 8 else ""
    return f"Treatment sessions{more}: {shown}."


def sessions_shown_text(shown: int, total: int | None) -> str:
    """"the last 6 of 20 sessions", or "3 sessions" when every session in range is shown."""
    if total and total > shown:
        return f"the last {shown} of {total} sessions"
    return f"{shown} session{'s' if shown != 1 else ''}"


def session_labels(dates: Sequence[date], today: date) -> list[str]:
    """Short unique labels of session dates: "12 Mar" when every date is in today's year, else
    "12 Mar 2026"; numbered when a date repeats."""
    this_year = all(day.year == today.year for day in dates)
    labels, seen = [], {}
    for day in dates:
        text = f"{day.day} {day:%b}" if this_year else day_text(day)
        seen[text] = seen.get(text, 0) + 1
        labels.append(text if seen[text] == 1 else f"{text} ({seen[text]})")
    return labels
