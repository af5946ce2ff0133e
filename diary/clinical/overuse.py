"""Medication overuse: ICHD-3 8.2 reasons of a period and the patient's status (section 4).

Result dataclasses name their range `from_date` / `to_date`; the schemas map them to the
API's ``from`` / ``to``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .days import ACUTE_CLASSES, DayIndex, Days, index_days
from .periods import MedicationDays, Month, PeriodFigures, period_figures

# Class days in a period from which each class alone is overuse (ICHD-3 8.2.1-8.2.5).
CLASS_DAY_LIMITS: dict[str, int] = {
    "non_opioid_analgesic": 15,
    "triptan": 10,
    "ergot": 10,
    "opioid": 10,
    "combination_analgesic": 10,
}
MULTIPLE_CLASSES_ACUTE_DAYS = 10  # ICHD-3 8.2.6
ICHD3_HEADACHE_DAYS = 15  # headache days in each of the months of the ICHD-3 pattern
ICHD3_MONTHS = 3
APPROACHING_ACUTE_DAYS = 8  # about two days a week
ROLLING_DAYS = 30

STATUS_ICHD3_PATTERN = "ichd3_pattern"
STATUS_OVERUSE = "overuse"
STATUS_APPROACHING = "approaching"
STATUS_NONE = "none"


@dataclass(frozen=True, slots=True)
class RollingFigures:
    """The rolling 30 days that end today (API: rolling_30)."""

    from_date: date
    to_date: date
    days_logged: int
    headache_days: int
    medication_days: MedicationDays
    overuse_reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MedicationOveruseStatus:
    """The medication-overuse status of a patient as of today."""

    status: str
    rolling_30: RollingFigures
    consecutive_overuse_months: int
    message: str


def overuse_reasons(medication_days: MedicationDays) -> tuple[str, ...]:
    """ICHD-3 8.2 reasons for one period (CLINICAL_RULES.md section 4)."""
    reasons = tuple(
        drug_class
        for drug_class in ACUTE_CLASSES
        if medication_days.of_class(drug_class) >= CLASS_DAY_LIMITS[drug_class]
    )
    if reasons:
        return reasons
    classes_taken = sum(1 for drug_class in ACUTE_CLASSES if medication_days.of_class(drug_class))
    if classes_taken >= 2 and medication_days.acute >= MULTIPLE_CLASSES_ACUTE_DAYS:
        return ("multiple_classes",)
    return ()


def rolling_30_days(days: Days, today: date) -> RollingFigures:
    """Figures and overuse reasons of the 30 days ending today (today-29 to today)."""
    figures = period_figures(days, today - timedelta(days=ROLLING_DAYS - 1), today)
    return RollingFigures(
        from_date=figures.from_date,
        to_date=figures.to_date,
        days_logged=figures.days_logged,
        headache_days=figures.headache_days,
        medication_days=figures.medication_days,
        overuse_reasons=overuse_reasons(figures.medication_days),
    )


def consecutive_overuse_months(days: Days, today: date) -> int:
    """Overuse months in a row, counting back from the month before today's."""
    index = index_days(days)
    first_logged = index.first_date
    count = 0
    month = Month.of(today).shift(-1)
    while first_logged is not None and month.last_day >= first_logged:
        if not overuse_reasons(_month_figures(index, month).medication_days):
            break
        count += 1
        month = month.shift(-1)
    return count


def medication_overuse_status(days: Days, today: date) -> MedicationOveruseStatus:
    """The medication-overuse status as of today: the first of section 4's four that holds."""
    index = index_days(days)
    rolling = rolling_30_days(index, today)
    this_month = Month.of(today)
    last_months = [
        _month_figures(index, this_month.shift(-k)) for k in range(1, ICHD3_MONTHS + 1)]
    status = overuse_status(rolling.medication_days,
                            [(month.medication_days, month.headache_days) for month in last_months])
    return MedicationOveruseStatus(
        status=status,
        rolling_30=rolling,
        consecutive_overuse_months=consecutive_overuse_months(index, today),
        message=status_message(status, rolling),
    )


def overuse_status(rolling_30: MedicationDays,
                   last_months: Sequence[tuple[MedicationDays, int]]) -> str:
    """Section 4's precedence, from the class days of the rolling 30 days and, for each of the
    last three complete months (latest first), its class days and headache days."""
    if all(overuse_reasons(classes) and headache_days >= ICHD3_HEADACHE_DAYS
           for classes, headache_days in last_months):
        return STATUS_ICHD3_PATTERN
    if overuse_reasons(rolling_30) or overuse_reasons(last_months[0][0]):
        return STATUS_OVERUSE
    if rolling_30.acute >= APPROACHING_ACUTE_DAYS:
        return STATUS_APPROACHING
    return STATUS_NONE


def status_message(status: str, rolling: RollingFigures) -> str:
    """Plain, kind words for the patient about their medication-overuse status."""
    acute = rolling.medication_days.acute
    logged = rolling.days_logged
    if status == STATUS_ICHD3_PATTERN:
        return (
            "For each of the last three months you had headaches on 15 or more days and took "
            "painkillers or migraine medicine often. Sometimes this pattern means the medicine "
            "itself is keeping the headaches going (medication-overuse headache). Only a "
            "clinician can diagnose this, so please talk to your GP or therapist soon. Do not "
            "stop or change your medicines on your own: they will help you plan it safely."
        )
    if status == STATUS_OVERUSE:
        return (
            "Recently you have taken painkillers or migraine medicine on more days than is "
            "usually advised. This is common and nothing to feel bad about, but taking them "
            "this often can make headaches more frequent. Please mention it to your GP or "
            "therapist, who can help you find other ways to manage. Do not stop or change your "
            "medicines on your own."
        )
    if status == STATUS_APPROACHING:
        return (
            f"You took painkillers or migraine medicine on {acute} of the last 30 days. The usual "
            "advice is to keep to about two days a week or fewer, so that the medicine keeps "
            "working well. If you often need more, your GP or therapist can help."
        )
    if logged == 0:
        return (
            "There are no diary days in the last 30 days yet. Keep logging each day, including "
            "days without a headache, so your medicine use can be checked."
        )
    return (
        f"In the {logged} days you logged out of the last 30, your use of painkillers and "
        "migraine medicine is within the usual advice. Keep logging each day, including days "
        "without a headache."
    )


def _month_figures(index: DayIndex, month: Month) -> PeriodFigures:
    return period_figures(index, month.first_day, month.last_day)
