"""Figures (docs/api.md "Figures and charts"): every number follows the clinical rules via diary.clinical."""

from __future__ import annotations

from .. import clinical, queries
from ..access import rule
from ..models import User
from ..schemas.figures import (
    EffectsQuerySchema,
    EffectsSchema,
    FollowUpSummarySchema,
    MonthRangeQuerySchema,
    MonthsSchema,
    OveruseStatusSchema,
    ProgressSchema,
)
from . import bp


@bp.over_a_range("/patients/<pid>/months", "monthly figures", MonthRangeQuerySchema, MonthsSchema)
def months(patient: User, first: clinical.Month, last: clinical.Month):
    """Monthly figures from `from` to `to` (YYYY-MM; default the last 12 months)"""
    facts = queries.day_facts(patient, first.first_day, last.last_day)
    return {"months": clinical.month_rows(facts, first.first_day, last.first_day)}


@bp.get("/patients/<pid>/medication-overuse")
@rule("patient_or_linked_therapist", "medication-overuse status")
@bp.response(200, OveruseStatusSchema)
def medication_overuse(patient: User):
    """Medication-overuse status as of today (ICHD-3)"""
    return queries.medication_overuse(patient)


@bp.get("/patients/<pid>/progress")
@rule("patient_or_linked_therapist", "progress figures")
@bp.response(200, ProgressSchema)
def progress(patient: User):
    """Baseline and 28-day periods since the first session"""
    sessions = queries.session_facts(patient)
    today = patient.today()
    first = clinical.baseline_start(sessions, today)
    facts = queries.day_facts(patient, first) if first else []
    return clinical.treatment_progress(facts, sessions, today)


@bp.get("/patients/<pid>/sessions/effects")
@rule("patient_or_linked_therapist", "session effects")
@bp.arguments(EffectsQuerySchema, location="query")
@bp.response(200, EffectsSchema)
def session_effects(params: dict, patient: User):
    """The effect of each treatment session (window 1-56 days, default 14)"""
    window = params["window"]
    sessions = queries.session_facts(patient)
    today = patient.today()
    read = clinical.effects_window(sessions, window, today)
    facts = queries.day_facts(patient, *read) if read else []
    return {"window": window, "effects": clinical.session_effects(facts, sessions, today, window)}


@bp.get("/patients/<pid>/follow-up-summary")
@rule("patient_or_linked_therapist", "follow-up summary")
@bp.response(200, FollowUpSummarySchema)
def follow_up_summary(patient: User):
    """The pre-follow-up summary as of today: since the last session against the days before it,
    the latest complete 28-day period against the baseline, and the medication-overuse status"""
    return queries.follow_up_summary(patient)
