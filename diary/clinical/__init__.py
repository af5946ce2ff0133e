"""Pure functions of the clinical rules, version 2 (docs/clinical-rules.md): plain facts in,
frozen dataclasses out.

Every result names its date range `from_date` / `to_date`; the schemas map them to the
API's ``from`` / ``to``. Build a `DayIndex` once (`index_days`) and pass it to several
rules to index one patient's days only once per request.
"""

from .days import ACUTE_CLASSES, ALL_CLASSES, DayFacts, DayIndex, SessionFacts, index_days
from .effects import EffectWindow, SessionEffect, counted_sessions, session_effects
from .followup import FollowUpSummary, follow_up_summary
from .months import MonthRow, month_row, month_rows
from .overuse import (
    ICHD3_MONTHS,
    MedicationOveruseStatus,
    RollingFigures,
    consecutive_overuse_months,
    medication_overuse_status,
    overuse_months_in_a_row,
    overuse_reasons,
    overuse_status,
    rolling_30_days,
)
from .periods import (
    MODERATE_SEVERE_PEAK,
    PER_DAYS,
    SEVERE_PEAK,
    SEVERITY_BANDS,
    MedicationDays,
    Month,
    PeriodFigures,
    period_figures,
    severity,
)
from .progress import (
    MIN_LOGGED_DAYS,
    PERIOD_DAYS,
    Baseline,
    Progress,
    ProgressPeriod,
    first_session_date,
    headache_days_change_pct,
    treatment_progress,
)
from .ranges import (
    baseline_start,
    effects_window,
    follow_up_ranges,
    last_days_window,
    overuse_window,
    picture_ranges,
)
from .triage import (
    RECENT_DAYS,
    RED_FLAG_DAYS,
    TriageFigures,
    attention_key,
    combined_soreness_flag,
    latest_complete_period,
    prolonged_soreness_of_spans,
    recent_prolonged_soreness,
    recent_soreness_spans,
    soreness_facts,
    triage_figures,
)

RULES_VERSION = 2

__all__ = [
    "ACUTE_CLASSES",
    "MODERATE_SEVERE_PEAK",
    "PER_DAYS",
    "SEVERE_PEAK",
    "SEVERITY_BANDS",
    "severity",
    "ALL_CLASSES",
    "RULES_VERSION",
    "DayFacts",
    "DayIndex",
    "EffectWindow",
    "MedicationDays",
    "MedicationOveruseStatus",
    "Month",
    "MonthRow",
    "PeriodFigures",
    "Progress",
    "ProgressPeriod",
    "RollingFigures",
    "SessionEffect",
    "SessionFacts",
    "baseline_start",
    "consecutive_overuse_months",
    "effects_window",
    "index_days",
    "medication_overuse_status",
    "month_row",
    "month_rows",
    "overuse_months_in_a_row",
    "overuse_reasons",
    "overuse_window",
    "follow_up_ranges",
    "last_days_window",
    "picture_ranges",
    "ICHD3_MONTHS",
    "period_figures",
    "rolling_30_days",
    "session_effects",
    "treatment_progress",
    "FollowUpSummary",
    "follow_up_summary",
    "TriageFigures",
    "attention_key",
    "triage_figures",
    "overuse_status",
    "PERIOD_DAYS",
    "headache_days_change_pct",
    "RECENT_DAYS",
    "RED_FLAG_DAYS",
    "latest_complete_period",
    "recent_prolonged_soreness",
    "recent_soreness_spans",
    "prolonged_soreness_of_spans",
    "soreness_facts",
    "combined_soreness_flag",
    "counted_sessions",
    "Baseline",
    "MIN_LOGGED_DAYS",
    "first_session_date",
]
