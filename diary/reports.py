"""The one-page report a patient takes to their GP (docs/export-import.md "A report for the GP"):
headache days and painkiller days by month against the overuse limits, and the treatment had
since when. Every figure is the clinical engine's (diary.clinical), read through queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from . import clinical, queries
from . import vocabulary as vocab
from .clinical.overuse import CLASS_DAY_LIMITS, MULTIPLE_CLASSES_ACUTE_DAYS
from .clinical.periods import Month
from .models import User

REPORT_MONTHS = 12  # the most months one A4 page shows, the current one included
# Why a month is over a limit, in the patient's words (docs/words.md), from the rules' own limits.
PLAIN_OVERUSE_REASONS = {
    **{
        drug_class: f"{vocab.DRUG_CLASS_PLAIN_NAMES[drug_class].lower()} on {limit} or more days"
        for drug_class, limit in CLASS_DAY_LIMITS.items()
    },
    "multiple_classes": f"more than one kind of painkiller on {MULTIPLE_CLASSES_ACUTE_DAYS} or more days",
}


@dataclass(frozen=True)
class Treatment:
    """The treatment sessions, in short: how many, the first and the latest, what was done."""

    sessions: int
    first: date | None
    latest: date | None
    techniques: tuple[str, ...]  # vocabulary.TECHNIQUES keys, in its order


@dataclass(frozen=True)
class GpReport:
    today: date
    months: list[tuple[date, clinical.MonthRow]]  # each month's first day and figures, oldest first
    picture: queries.PatientPicture
    treatment: Treatment


def treatment_of(picture: queries.PatientPicture) -> Treatment:
    """The sessions up to today, in short."""
    past = [s for s in picture.sessions if s.date <= picture.today]
    done = {t for s in past for t in s.techniques}
    return Treatment(
        sessions=len(past),
        first=past[0].date if past else None,
        latest=past[-1].date if past else None,
        techniques=tuple(t for t in vocab.TECHNIQUES if t in done),
    )


def gp_report(patient: User) -> GpReport:
    """The report's figures: the months since the diary began (at most REPORT_MONTHS)."""
    picture = queries.patient_picture(patient)
    last = Month.of(picture.today)
    first = last.shift(1 - REPORT_MONTHS)
    if (started := queries.first_diary_day(patient)) is not None and Month.of(started) > first:
        first = Month.of(started)
    facts = queries.day_facts(patient, first.first_day, last.last_day)
    return GpReport(
        today=picture.today,
        months=[
            (date.fromisoformat(f"{row.month}-01"), row)
            for row in clinical.month_rows(facts, first.first_day, last.first_day)
        ],
        picture=picture,
        treatment=treatment_of(picture),
    )
