"""Medication overuse: ICHD-3 8.2 reasons of a period and the patient's status (section 4).

Result dataclasses name their range `from_date` / `to_date`; the schemas map them to the
API's ``from`` / ``to``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .days import ACUTE_CLASSES, DayIndex, Days, index_days
from .periods import MedicationDays, Month, PeriodFigures, figures_as, period_figures

# Class days in a period from which each class alone is overuse (ICHD-3 8.2.1-8.2.5).
CLASS_DAY_LIMITS: dict[str, int] = {
    "non_opioid_analgesic": 15,
    "triptan": 10,
    "ergot": 10,
    "opioid": 10,
    "combination_analgesic": 10,
    "other_acute": 10,  # ICHD-3 8.2.8
}
MULTIPLE_CLASSES_ACUTE_DAYS = 10  # ICHD-3 8.2.6 (counting every acute class is the diary's choice)
ICHD3_HEADACHE_DAYS = 15  # headache days in the latest of the months of the ICHD-3 pattern
ICHD3_MONTHS = 3
APPROACHING_ACUTE_DAYS = 8  # about two days a week: the diary's own early warning
ROLLING_DAYS = 30
ENOUGH_RECORDS = 21  # days with a record, of the rolling 30, before "none" can reassure

STATUS_ICHD3_PATTERN = "ichd3_pattern"
STATUS_OVERUSE = "overuse"
STATUS_APPROACHING = "approaching"
STATUS_NONE = "none"
STATUS_NOT_ENOUGH_DIARY = "not_enough_diary"


@dataclass(frozen=True, slots=True)
class RollingFigures:
    """The rolling 30 days that end today (API: rolling_30)."""

    from_date: date
    to_date: date
    days_logged: int
    days_with_record: int
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
    """ICHD-3 8.2 reasons for one period (docs/clinical-rules.md section 4)."""
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
    return figures_as(RollingFigures, figures, overuse_reasons=overuse_reasons(figures.medication_days))


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


def overuse_months_in_a_row(class_days: Mapping[Month, MedicationDays], today: date) -> int:
    """Overuse months in a row, counting back from the month before today's, from each month's
    class days (a month missing from `class_days` has none: it ends the count)."""
    count = 0
    month = Month.of(today).shift(-1)
    while month in class_days and overuse_reasons(class_days[month]):
        count += 1
        month = month.shift(-1)
    return count


def medication_overuse_status(
    days: Days, today: date, overuse_months: int | None = None
) -> MedicationOveruseStatus:
    """The medication-overuse status as of today: the first of section 4's five that holds.

    `days` must hold at least `overuse_window(today)`; the count of overuse months in a row is
    counted from them unless the caller counted it over the whole diary (`overuse_months`)."""
    index = index_days(days)
    rolling = rolling_30_days(index, today)
    this_month = Month.of(today)
    last_months = [_month_figures(index, this_month.shift(-k)) for k in range(1, ICHD3_MONTHS + 1)]
    status = overuse_status(
        rolling.medication_days,
        rolling.days_with_record,
        [(month.medication_days, month.headache_days) for month in last_months],
    )
    return MedicationOveruseStatus(
        status=status,
        rolling_30=rolling,
        consecutive_overuse_months=(
            consecutive_overuse_months(index, today) if overuse_months is None else overuse_months
        ),
        message=status_message(status, rolling),
    )


def overuse_status(
    rolling_30: MedicationDays,
    rolling_30_days_with_record: int,
    last_months: Sequence[tuple[MedicationDays, int]],
) -> str:
    """Section 4's precedence, from the class days and the days with a record of the rolling
    30 days and, for each of the last three complete months (latest first), its class days and
    headache days."""
    if (
        all(overuse_reasons(classes) for classes, _ in last_months)
        and last_months[0][1] >= ICHD3_HEADACHE_DAYS
    ):
        return STATUS_ICHD3_PATTERN
    if overuse_reasons(rolling_30) or overuse_reasons(last_months[0][0]):
        return STATUS_OVERUSE
    if rolling_30.acute >= APPROACHING_ACUTE_DAYS:
        return STATUS_APPROACHING
    if rolling_30_days_with_record >= ENOUGH_RECORDS:
        return STATUS_NONE
    return STATUS_NOT_ENOUGH_DIARY


# Section 8: never "you have medication-overuse headache", never "leave an attack untreated".
PAINKILLER_ADVICE = (
    "Taking painkillers or migraine medicines on many days can itself cause headaches. If you "
    "need them on more than two days a week, ask your GP or therapist about other options."
)
ICHD3_PATTERN_WORDS = (
    "Your diary shows a pattern doctors check for medication-overuse headache. "
    "Only a clinician can diagnose it."
)


def status_message(status: str, rolling: RollingFigures) -> str:
    """Plain, kind words for the patient about their medication-overuse status."""
    acute = rolling.medication_days.acute
    if status == STATUS_ICHD3_PATTERN:
        return (
            f"{ICHD3_PATTERN_WORDS} Please talk to your GP or therapist soon. "
            f"{PAINKILLER_ADVICE} Do not stop or change your medicines on your own: they "
            "will help you plan it safely."
        )
    if status == STATUS_OVERUSE:
        return (
            f"Recently you have taken painkillers or migraine medicines on more days than is "
            f"usually advised. This is common and nothing to feel bad about. {PAINKILLER_ADVICE}"
        )
    if status == STATUS_APPROACHING:
        return (
            f"You took painkillers or migraine medicines on {acute} of the last 30 days. {PAINKILLER_ADVICE}"
        )
    if status == STATUS_NONE:
        return (
            f"You wrote in your diary on {rolling.days_with_record} of the last 30 days, and "
            "your use of painkillers and migraine medicines is within the usual advice. Keep "
            "logging each day, including days without a headache."
        )
    return (
        f"You wrote in your diary on {rolling.days_with_record} of the last 30 days. Log at "
        f"least {ENOUGH_RECORDS} days out of 30, including days without a headache, so that "
        "your medicine use can be checked."
    )


def _month_figures(index: DayIndex, month: Month) -> PeriodFigures:
    return period_figures(index, month.first_day, month.last_day)
