"""Figures endpoints (docs/api.md "Figures and charts"): the engine's numbers, in the API's shape."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from diary import clinical, queries
from diary.clinical.periods import Month
from diary.schemas.figures import FollowUpSummarySchema

from . import clock
from .clinical.facts import DRUG_CLASSES
from .factories import link, make_day


def _session(patient, therapist, day):
    from diary import operations

    return operations.record_session(
        therapist,
        patient,
        {"date": day, "techniques": ["dry_needling"], "muscles": [], "notes": None, "next_review_on": None},
    )


@pytest.fixture
def diary(patient, therapist):
    """Ten weeks of a patient's diary with two sessions, shared with `therapist`."""
    link(patient, therapist)
    today = clock.today(patient)
    for days_ago in range(70):
        day = today - timedelta(days=days_ago)
        if days_ago % 9 == 4:
            continue  # missing days
        headache = [{"intensity": 3 + days_ago % 7}] if days_ago % 3 else []
        meds = [{"name": "Ibuprofen 400 mg", "drug_class": "non_opioid_analgesic"}] if headache else []
        if days_ago % 5 == 0:
            meds.append({"name": "Sumatriptan 50 mg", "drug_class": "triptan"})
        make_day(patient, day, headaches=headache, medications=meds, soreness=days_ago % 6)
    sessions = [_session(patient, therapist, today - timedelta(days=d)) for d in (40, 12)]
    return patient, sessions


def engine_inputs(patient):
    return queries.day_facts(patient), queries.session_facts(patient)


@pytest.mark.parametrize("reader", ["patient", "therapist"])
def test_months_are_the_engines_month_rows(diary, therapist, as_user, reader):
    patient, _ = diary
    client = as_user(patient if reader == "patient" else therapist)
    today = clock.today(patient)
    first = Month.of(today).shift(-2)
    response = client.get(
        f"/api/v1/patients/{patient.id}/months?from={first.label}&to={Month.of(today).label}"
    )
    assert response.status_code == 200
    months = response.get_json()["months"]
    facts, _ = engine_inputs(patient)
    expected = clinical.month_rows(facts, first.first_day, today)
    assert [m["month"] for m in months] == [row.month for row in expected]
    for got, want in zip(months, expected, strict=True):
        assert got["headache_days"] == want.headache_days
        assert got["days_logged"] == want.days_logged
        assert got["mean_peak_intensity"] == want.mean_peak_intensity
        assert got["medication_days"]["triptan"] == want.medication_days.triptan
        assert got["medication_days"]["acute"] == want.medication_days.acute
        assert got["overuse_reasons"] == list(want.overuse_reasons)
    assert set(months[0]["medication_days"]) == {*DRUG_CLASSES, "acute"}


def test_months_default_to_the_last_twelve(diary, as_user):
    patient, _ = diary
    months = as_user(patient).get("/api/v1/patients/me/months").get_json()["months"]
    assert len(months) == 12 and months[-1]["month"] == Month.of(clock.today(patient)).label


@pytest.mark.parametrize(
    "query", ["from=2026-13", "to=26-01", "from=2026-05&to=2026-01", "from=2010-01&to=2026-11"]
)
def test_bad_month_ranges_are_refused(diary, as_user, query):
    patient, _ = diary
    response = as_user(patient).get(f"/api/v1/patients/me/months?{query}")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["errors"]


def test_medication_overuse_status_is_the_engines(diary, as_user):
    patient, _ = diary
    body = as_user(patient).get("/api/v1/patients/me/medication-overuse").get_json()
    facts, _ = engine_inputs(patient)
    status = clinical.medication_overuse_status(facts, clock.today(patient))
    assert body["status"] == status.status
    assert body["rolling_30"]["from"] == status.rolling_30.from_date.isoformat()
    assert body["rolling_30"]["to"] == clock.today(patient).isoformat()
    assert body["rolling_30"]["medication_days"]["acute"] == status.rolling_30.medication_days.acute
    assert body["rolling_30"]["overuse_reasons"] == list(status.rolling_30.overuse_reasons)
    assert body["consecutive_overuse_months"] == status.consecutive_overuse_months
    assert body["message"] == status.message


def test_progress_has_the_baseline_and_28_day_periods(diary, as_user):
    patient, sessions = diary
    body = as_user(patient).get("/api/v1/patients/me/progress").get_json()
    facts, session_facts = engine_inputs(patient)
    progress = clinical.treatment_progress(facts, session_facts, clock.today(patient))
    first = min(s.date for s in sessions)
    assert body["baseline"]["from"] == (first - timedelta(days=28)).isoformat()
    assert body["baseline"]["headache_days"] == progress.baseline.headache_days
    assert [p["index"] for p in body["periods"]] == [p.index for p in progress.periods]
    last = body["periods"][-1]
    assert last["complete"] is False and last["responder_50"] is None
    assert [p["change_pct"] for p in body["periods"]] == [p.change_pct for p in progress.periods]


def test_progress_without_sessions_has_no_baseline(patient, as_user):
    make_day(patient, clock.today(patient), headaches=[{"intensity": 5}])
    body = as_user(patient).get("/api/v1/patients/me/progress").get_json()
    assert body == {"rules_version": 2, "first_session_date": None, "baseline": None, "periods": []}


@pytest.mark.parametrize("window", [1, 14, 56])
def test_session_effects_follow_the_window(diary, as_user, window):
    patient, sessions = diary
    body = as_user(patient).get(f"/api/v1/patients/me/sessions/effects?window={window}").get_json()
    facts, session_facts = engine_inputs(patient)
    expected = clinical.session_effects(facts, session_facts, clock.today(patient), window)
    assert body["window"] == window
    assert [e["session_id"] for e in body["effects"]] == [e.session_id for e in expected]
    for got, want in zip(body["effects"], expected, strict=True):
        assert got["before"]["headache_days"] == want.before.headache_days
        assert got["after"]["to"] == want.after.to_date.isoformat()
        assert got["after"]["max_soreness"] == want.after.max_soreness
        assert got["soreness_resolved_day"] == want.soreness_resolved_day
        assert got["prolonged_soreness"] == want.prolonged_soreness


# -- The pre-follow-up summary (docs/clinical-rules.md section 7) -----------------------------------


def engine_follow_up_summary(patient) -> dict:
    """The engine's summary over the same facts, in the API's shape (through its schema)."""
    facts, session_facts = engine_inputs(patient)
    summary = clinical.follow_up_summary(facts, session_facts, clock.today(patient))
    return json.loads(json.dumps(FollowUpSummarySchema().dump(summary)))


@pytest.mark.parametrize("reader", ["me", "own id", "therapist"])
def test_follow_up_summary_is_the_engines(diary, therapist, as_user, reader):
    patient, sessions = diary
    client = as_user(therapist if reader == "therapist" else patient)
    pid = "me" if reader == "me" else patient.id
    response = client.get(f"/api/v1/patients/{pid}/follow-up-summary")
    assert response.status_code == 200
    body = response.get_json()
    assert body == engine_follow_up_summary(patient)
    today = clock.today(patient)
    assert body["as_of"] == today.isoformat() and body["rules_version"] == 2
    assert body["last_session"] == {"id": str(sessions[1].id), "date": sessions[1].date.isoformat()}
    assert body["first_session_date"] == sessions[0].date.isoformat()
    since = body["since_last_session"]
    assert (since["from"], since["to"]) == (
        (sessions[1].date + timedelta(days=1)).isoformat(),
        (today - timedelta(days=1)).isoformat(),
    )
    assert (
        body["medication_overuse"]["status"]
        == clinical.medication_overuse_status(engine_inputs(patient)[0], today).status
    )


def test_follow_up_summary_is_404_for_another_patient_and_an_unlinked_therapist(diary, users, as_user):
    patient, _ = diary
    for stranger in (users.patient(), users.therapist()):
        response = as_user(stranger).get(f"/api/v1/patients/{patient.id}/follow-up-summary")
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
        assert "since_last_session" not in response.get_json()


def test_a_session_recorded_today_does_not_empty_the_follow_up_summary(diary, therapist, as_user):
    patient, sessions = diary
    today = clock.today(patient)
    _session(patient, therapist, today)  # the follow-up itself
    body = as_user(therapist).get(f"/api/v1/patients/{patient.id}/follow-up-summary").get_json()
    assert body == engine_follow_up_summary(patient)
    # The last session is the latest before today; "since" runs from the day after it to yesterday.
    assert body["last_session"] == {"id": str(sessions[1].id), "date": sessions[1].date.isoformat()}
    since, before = body["since_last_session"], body["before_last_session"]
    assert (since["from"], since["to"]) == (
        (today - timedelta(days=11)).isoformat(),
        (today - timedelta(days=1)).isoformat(),
    )
    assert since["complete"] is True and since["days_logged"] > 0
    assert (before["from"], before["to"]) == (
        (today - timedelta(days=23)).isoformat(),
        (today - timedelta(days=13)).isoformat(),
    )


@pytest.mark.parametrize("window", ["0", "57", "two", "1.5"])
def test_a_window_outside_1_to_56_days_is_refused(diary, as_user, window):
    patient, _ = diary
    response = as_user(patient).get(f"/api/v1/patients/me/sessions/effects?window={window}")
    assert response.status_code == 422 and "window" in response.get_json()["errors"]


@pytest.mark.parametrize(
    "path", ["months", "medication-overuse", "progress", "sessions/effects", "follow-up-summary"]
)
def test_figures_run_a_fixed_number_of_statements(patient, therapist, as_user, count_statements, path):
    link(patient, therapist)
    reader = as_user(therapist)
    today = clock.today(patient)
    _session(patient, therapist, today - timedelta(days=20))

    def statements() -> int:
        with count_statements() as counted:
            assert reader.get(f"/api/v1/patients/{patient.id}/{path}").status_code == 200
        return len(counted)

    def daily_paracetamol(first_days_ago, last_days_ago):
        for days_ago in range(first_days_ago, last_days_ago):
            make_day(
                patient,
                today - timedelta(days=days_ago),
                headaches=[{"intensity": 4}],
                medications=[{"name": "Paracetamol 500 mg", "drug_class": "non_opioid_analgesic"}],
            )

    # Overuse in every month of the overuse window already: the count of overuse months in a
    # row reads further back in both diaries (one statement more than without such a run).
    daily_paracetamol(0, 130)
    few = statements()
    daily_paracetamol(130, 400)
    assert statements() == few


@pytest.mark.parametrize("seed", [9, 28])
def test_windowed_figures_are_the_engines_over_the_whole_diary(patient, therapist, as_user, seed):
    """Medication overuse and the follow-up summary read their windows only (and count a long
    run of overuse months in SQL), yet answer exactly what the engine says over every day."""
    import random

    rng = random.Random(seed)
    link(patient, therapist)
    today = clock.today(patient)
    classes = ["non_opioid_analgesic", "triptan", "combination_analgesic", "opioid", "other"]
    for days_ago in range(500):
        if rng.random() < 0.15:
            continue
        heavy = days_ago < rng.choice((150, 250, 330))  # months of overuse before today
        meds = [
            {"name": f"Medicine {n}", "drug_class": rng.choice(classes)}
            for n in range(rng.choice((1, 2)))
            if rng.random() < (0.75 if heavy else 0.2)
        ]
        make_day(
            patient,
            today - timedelta(days=days_ago),
            medications=meds,
            headaches=[{"intensity": rng.randint(1, 10)}] if rng.random() < 0.6 else [],
            soreness=rng.choice((None, 0, 2, 5)),
        )
    for days_ago in (420, 300, 200, 33, 9):
        _session(patient, therapist, today - timedelta(days=days_ago))
    reader = as_user(therapist)
    facts, _ = engine_inputs(patient)
    overuse = reader.get(f"/api/v1/patients/{patient.id}/medication-overuse").get_json()
    status = clinical.medication_overuse_status(facts, today)
    assert overuse["consecutive_overuse_months"] == status.consecutive_overuse_months >= 3
    assert overuse["status"] == status.status
    summary = reader.get(f"/api/v1/patients/{patient.id}/follow-up-summary").get_json()
    assert summary == engine_follow_up_summary(patient)
    picture = queries.patient_picture(patient)
    assert picture.follow_up == clinical.follow_up_summary(facts, engine_inputs(patient)[1], today)
