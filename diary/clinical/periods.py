"""Figures of a date range: logged, headache, moderate/severe and medication days (sections 1-3),
and headache days per 28 days (section 5).

Result dataclasses name their range `from_date` / `to_date` (``from`` is a Python keyword);
the schemas map them to the API's ``from`` / ``to``. Rounded figures round
half up (halves away from zero: 12.345 -> 12.35, -6.25 -> -6.3), not Python's
round-half-even, so the same diary always shows the same number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from fractions import Fraction

from .days import ALL_CLASSES, DayFacts, Days, index_days, is_acute_medication_day

_ONE_DAY = timedelta(days=1)
# Section 2: a headache's peak intensity (1-10) falls in one band; "moderate or severe" is 4 up.
SEVERITY_BANDS = (("mild", range(1, 4)), ("moderate", range(4, 7)), ("severe", range(7, 11)))
MODERATE_SEVERE_PEAK = SEVERITY_BANDS[1][1].start  # 4
SEVERE_PEAK = SEVERITY_BANDS[2][1].start  # 7
PER_DAYS = 28  # headache days are compared per 28 days


@dataclass(frozen=True, slots=True)
class MedicationDays:
    """Class days of each drug class in a period, and acute medication days."""

    non_opioid_analgesic: int
    triptan: int
    ergot: int
    opioid: int
    combination_analgesic: int
    other_acute: int
    other: int
    acute: int

    def of_class(self, drug_class: str) -> int:
        """Class days of one of the seven drug classes, or `acute`."""
        return getattr(self, drug_class)


@dataclass(frozen=True, slots=True)
class PeriodFigures:
    """Figures of a date range from_date..to_date inclusive (API: from, to)."""

    from_date: date
    to_date: date
    days_logged: int  # days whose record answers the headache question
    headache_days: int
    moderate_severe_days: int
    acute_medication_days: int
    mean_peak_intensity: float | None
    medication_days: MedicationDays
    days_with_record: int = 0  # days with any record, answered or not

    @property
    def days(self) -> int:
        """How many calendar days the range spans, logged or not."""
        return (self.to_date - self.from_date).days + 1


def severity(peak_intensity: int) -> str:
    """'mild', 'moderate' or 'severe': the band of a peak intensity of 1 to 10 (section 2)."""
    for band, intensities in SEVERITY_BANDS:
        if peak_intensity in intensities:
            return band
    raise ValueError(f"No severity band holds intensity {peak_intensity!r}.")


def round_half_up(numerator: int, denominator: int, places: int) -> float:
    """numerator / denominator rounded to `places` decimals, halves away from zero.

    Exact integer arithmetic (the triage list rounds thousands of these per request)."""
    scale = 10**places
    negative = (numerator < 0) != (denominator < 0)
    numerator, denominator = abs(numerator) * scale, abs(denominator)
    rounded = (2 * numerator + denominator) // (2 * denominator)
    return (-rounded if negative else rounded) / scale


def headache_days_per_28(headache_days: int, days_logged: int, min_logged: int) -> Fraction | None:
    """Headache days x 28 / days logged, exact; None with fewer than `min_logged` logged days
    (or none at all): too little diary to tell."""
    if days_logged == 0 or days_logged < min_logged:
        return None
    return Fraction(headache_days * PER_DAYS, days_logged)


def rounded(value: Fraction | None, places: int = 1) -> float | None:
    """An exact figure as shown: `places` decimals, halves away from zero; None stays None."""
    return None if value is None else round_half_up(value.numerator, value.denominator, places)


def mean_peak_intensity(peak_sum: int, headache_days: int) -> float | None:
    """Mean peak intensity over headache days, 2 decimals; None without a headache day."""
    return round_half_up(peak_sum, headache_days, 2) if headache_days else None


def figures_as(kind: type, figures: PeriodFigures, **others):
    """A `kind` (a dataclass) with the fields it shares with `figures` copied, and the rest given."""
    shared = {f.name: getattr(figures, f.name) for f in fields(kind) if f.name not in others}
    return kind(**shared, **others)


def period_figures(days: Days, from_date: date, to_date: date) -> PeriodFigures:
    """Figures of the days from `from_date` to `to_date` inclusive (missing days count nowhere;
    records that leave the headache question open count for medication only)."""
    return figures_of_days(index_days(days).between(from_date, to_date), from_date, to_date)


def figures_of_days(days: Sequence[DayFacts], from_date: date, to_date: date) -> PeriodFigures:
    """Figures of day records already known to lie in the range from_date..to_date."""
    logged = headache_days = moderate_severe_days = acute_days = peak_sum = 0
    class_days = dict.fromkeys(ALL_CLASSES, 0)
    for day in days:
        if day.logged:
            logged += 1
        if day.headache_count:
            headache_days += 1
            peak_sum += day.peak_intensity
            if day.peak_intensity >= MODERATE_SEVERE_PEAK:
                moderate_severe_days += 1
        if day.drug_classes:
            for drug_class in day.drug_classes:  # a set: doses and repeats never count twice
                class_days[drug_class] += 1
            if is_acute_medication_day(day):
                acute_days += 1
    return PeriodFigures(
        from_date=from_date,
        to_date=to_date,
        days_logged=logged,
        headache_days=headache_days,
        moderate_severe_days=moderate_severe_days,
        acute_medication_days=acute_days,
        mean_peak_intensity=mean_peak_intensity(peak_sum, headache_days),
        medication_days=MedicationDays(**class_days, acute=acute_days),
        days_with_record=len(days),
    )


@dataclass(frozen=True, slots=True, order=True)
class Month:
    """A calendar month."""

    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> Month:
        """The month a date falls in."""
        return cls(day.year, day.month)

    @property
    def label(self) -> str:
        """The month as the API writes it, YYYY-MM."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        """The 1st of the month."""
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        """The last day of the month (Feb 29 in leap years)."""
        return self.shift(1).first_day - _ONE_DAY

    @property
    def days(self) -> int:
        """How many days the month has."""
        return self.last_day.day

    def shift(self, months: int) -> Month:
        """The month `months` later (earlier when negative)."""
        year, month0 = divmod(self.year * 12 + self.month - 1 + months, 12)
        return Month(year, month0 + 1)
