"""One row of figures per calendar month, with the month's overuse reasons (sections 1-4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .days import Days, index_days
from .overuse import overuse_reasons
from .periods import MedicationDays, Month, figures_as, period_figures


@dataclass(frozen=True, slots=True)
class MonthRow:
    """Figures of one calendar month (API: months[])."""

    month: str  # YYYY-MM
    days_in_month: int
    days_logged: int
    headache_days: int
    moderate_severe_days: int
    mean_peak_intensity: float | None
    medication_days: MedicationDays
    overuse_reasons: tuple[str, ...]


def month_rows(days: Days, first_month: date, last_month: date) -> list[MonthRow]:
    """Rows for every month from first_month to last_month inclusive (any day names its month)."""
    first, last = Month.of(first_month), Month.of(last_month)
    if last < first:
        raise ValueError("last_month is before first_month")
    index = index_days(days)
    rows = []
    month = first
    while month <= last:
        rows.append(month_row(index, month))
        month = month.shift(1)
    return rows


def month_row(days: Days, month: Month) -> MonthRow:
    """The figures and overuse reasons of one calendar month."""
    figures = period_figures(days, month.first_day, month.last_day)
    return figures_as(
        MonthRow,
        figures,
        month=month.label,
        days_in_month=month.days,
        overuse_reasons=overuse_reasons(figures.medication_days),
    )
