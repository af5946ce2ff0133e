"""The words of the charts' summaries and labels: dates, spans, counts and sessions in plain
text, and the words that differ by reader (the patient reads plain English, the therapist the
clinical words; docs/words.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from ..clinical.overuse import CLASS_DAY_LIMITS, MULTIPLE_CLASSES_ACUTE_DAYS
from ..vocabulary import DRUG_CLASS_NAMES, DRUG_CLASS_PLAIN_NAMES

PATIENT, THERAPIST = "patient", "therapist"


@dataclass(frozen=True)
class Words:
    """The words of one reader's charts, where the patient's and the therapist's differ."""

    medication_days: str  # a day with any acute medicine, plural: "acute medication days"
    medication_day: str  # the same, singular
    medication_mark: str  # the calendar's legend name of such a day
    peak: str  # the worst pain of a day, lower case: "peak"
    peak_name: str  # its legend name and axis title
    mean: str  # the mean of the peaks, before the number
    class_names: Mapping[str, str]  # drug class -> plural name
    several_classes: str  # more than one acute class on a day
    a_limit: str  # one of the medication-overuse limits, lower case
    over_limit: str  # hover: before the reasons a month is over a limit
    other_classes: str  # the classes with the lower limit

    def medication_count(self, number: int) -> str:
        """ "1 painkiller day", "3 painkiller days"."""
        return plural_text(number, self.medication_day, self.medication_days)

    def reason(self, reason: str) -> str:
        """Why a month is over a limit, short: "triptans on 10+ days"."""
        if reason == "multiple_classes":
            return f"{self.several_classes} on {MULTIPLE_CLASSES_ACUTE_DAYS}+ days"
        return f"{self.class_names[reason].lower()} on {CLASS_DAY_LIMITS[reason]}+ days"


class Said(NamedTuple):
    """One of the Words as each reader reads it (the fields are named after the readers)."""

    therapist: str | Mapping[str, str]
    patient: str | Mapping[str, str]


_SAID = {
    "medication_days": Said("acute medication days", "painkiller days"),
    "medication_day": Said("acute medication day", "painkiller day"),
    "medication_mark": Said("Acute medication", "Painkiller day"),
    "peak": Said("peak", "worst pain"),
    "peak_name": Said("Peak intensity", "Worst pain"),
    "mean": Said("mean peak", "average worst pain"),
    "class_names": Said(DRUG_CLASS_NAMES, DRUG_CLASS_PLAIN_NAMES),
    "several_classes": Said("several classes", "more than one kind"),
    "a_limit": Said("an ICHD-3 medication-overuse limit", "a limit doctors check for"),
    "over_limit": Said("overuse", "over a limit doctors check for"),
    "other_classes": Said("triptans and other classes", "migraine medicines and other kinds"),
}
WORDS = {
    reader: Words(**{field: getattr(said, reader) for field, said in _SAID.items()})
    for reader in (THERAPIST, PATIENT)
}
AUDIENCES = tuple(WORDS)


def plural_text(number: int, singular: str, plural: str | None = None) -> str:
    """ "1 day", "0 days", "2 headache days" (English only: the charts are not translated yet)."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def day_text(day: date) -> str:
    """ "12 Mar 2026"."""
    return f"{day.day} {day:%b %Y}"


def month_text(label: str) -> str:
    """ "Mar 2026" for the month label "2026-03"."""
    year, number = (int(part) for part in label.split("-"))
    return f"{date(year, number, 1):%b %Y}"


def span_text(first: date | None, last: date | None) -> str:
    """ "1 Mar 2026 to 12 Mar 2026", one day, or "no dates"."""
    if first is None or last is None:
        return "no dates"
    if first == last:
        return day_text(first)
    return f"{day_text(first)} to {day_text(last)}"


def number_text(value: float) -> str:
    """One decimal place, the one format of every decimal in the charts: "5.1", "5.0"."""
    return f"{value:.1f}"


def mean_text(mean: float | None, words: Words = WORDS[THERAPIST]) -> str:
    """ ", mean peak 4.5" (", average worst pain 4.5" for the patient), or nothing without a mean."""
    return f", {words.mean} {number_text(mean)}" if mean is not None else ""


def sessions_text(dates: Sequence[date]) -> str:
    """The sessions of a time chart's summary: the last 8 dates."""
    if not dates:
        return "No treatment session in this range."
    shown = ", ".join(day_text(d) for d in dates[-8:])
    more = f" (the last 8 of {len(dates)})" if len(dates) > 8 else ""
    return f"Treatment sessions{more}: {shown}."


def sessions_shown_text(shown: int, total: int | None) -> str:
    """ "the last 6 of 20 sessions", or "3 sessions" when every session in range is shown."""
    if total and total > shown:
        return f"the last {shown} of {total} sessions"
    return plural_text(shown, "session")


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
