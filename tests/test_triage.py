"""The therapist's triage list: who needs attention first, in a fixed number of statements."""

from __future__ import annotations

from datetime import timedelta

from . import clock
from .factories import link, make_day


def _add_session(patient, therapist, day, next_review=None):
    from diary import operations

    return operations.record_session(
        therapist,
        patient,
        {
            "date": day,
            "techniques": ["dry_needling"],
            "muscles": [],
            "notes": None,
            "next_review_on": next_review,
        },
    )


def triage(as_user, therapist):
    response = as_user(therapist).get("/api/v1/patients")
    assert response.status_code == 200
    return response.get_json()["patients"]


def test_triage_lists_recent_figures_of_each_linked_patient(users, therapist, as_user):
    patient = users.patient(name="Ann")
    link(patient, therapist)
    today = clock.today(patient)
    for days_ago in range(10):
        make_day(
            patient,
            today - timedelta(days=days_ago),
            headaches=[{"intensity": 5}] if days_ago % 2 == 0 else [],
        )
    for days_ago in range(10, 21):  # records that leave the headache question open: not logged days,
        make_day(patient, today - timedelta(days=days_ago), soreness=1, had_headache=None)  # but records
    make_day(patient, today - timedelta(days=40), headaches=[{"intensity": 5}])
    _add_session(patient, therapist, today - timedelta(days=2), today + timedelta(days=12))
    [row] = triage(as_user, therapist)
    assert row["display_name"] == "Ann"
    assert row["last_logged_on"] == today.isoformat()
    assert (row["days_logged_28"], row["headache_days_28"]) == (10, 5)
    assert row["next_review_on"] == (today + timedelta(days=12)).isoformat()
    assert row["medication_overuse_status"] == "none"  # records on 21 of the last 30 days
    assert row["prolonged_soreness"] is None  # too early: days 4-7 after the session are to come


def test_triage_puts_overuse_then_prolonged_soreness_first(users, therapist, as_user):
    calm, sore, overusing = (users.patient(name=n) for n in ("Aaron Calm", "Beth Sore", "Cleo Pills"))
    for patient in (calm, sore, overusing):
        link(patient, therapist)
    today = clock.today(calm)
    for days_ago in range(16):
        make_day(
            overusing,
            today - timedelta(days=days_ago),
            headaches=[{"intensity": 6}],
            medications=[{"name": "Sumatriptan 50 mg", "drug_class": "triptan"}],
        )
    session_day = today - timedelta(days=10)
    _add_session(sore, therapist, session_day)
    make_day(sore, session_day + timedelta(days=5), soreness=6)
    make_day(calm, today, headaches=[])
    rows = triage(as_user, therapist)
    assert [r["display_name"] for r in rows] == ["Cleo Pills", "Beth Sore", "Aaron Calm"]
    assert rows[0]["medication_overuse_status"] == "overuse"
    assert rows[1]["prolonged_soreness"] is True


def test_triage_shows_change_of_the_latest_complete_period(users, therapist, as_user):
    patient = users.patient()
    link(patient, therapist)
    today = clock.today(patient)
    first_session = today - timedelta(days=28 * 7 + 3)  # period 7 is complete, period 8 is 4 days old
    for offset in range(1, 29):  # 10 headache days in the fully logged baseline: 10 per 28
        make_day(
            patient,
            first_session - timedelta(days=offset),
            headaches=[{"intensity": 6}] if offset <= 10 else [],
        )
    _add_session(patient, therapist, first_session)
    period_7 = first_session + timedelta(days=28 * 6)
    for offset in range(28):  # 3 headache days in the fully logged period 7: 3 per 28
        make_day(
            patient, period_7 + timedelta(days=offset), headaches=[{"intensity": 4}] if offset < 3 else []
        )
    make_day(patient, today, headaches=[{"intensity": 4}])  # in the 4-day-old period 8
    [row] = triage(as_user, therapist)
    assert row["change_pct"] == -70.0


def test_triage_runs_a_fixed_number_of_statements(users, therapist, as_user, count_statements):
    reader = as_user(therapist)

    def statements_for_list() -> int:
        with count_statements() as counted:
            assert reader.get("/api/v1/patients").status_code == 200
        return len(counted)

    def add_patients(n):
        for _ in range(n):
            patient = users.patient()
            link(patient, therapist)
            today = clock.today(patient)
            make_day(
                patient,
                today,
                headaches=[{"intensity": 3}],
                medications=[{"name": "Paracetamol 500 mg", "drug_class": "non_opioid_analgesic"}],
            )
            _add_session(patient, therapist, today - timedelta(days=50))

    add_patients(2)
    few = statements_for_list()  # logs a read for each of the 2 (access.LIST_READ)
    add_patients(8)
    many = statements_for_list()  # logs the 8 new ones in one INSERT
    same = statements_for_list()  # all logged today already: no INSERT
    assert few == many == same + 1  # the INSERT
    assert many <= 13  # the login, 3 for the access log, the figures


def test_triage_shows_only_my_patients(users, therapist, as_user):
    mine, theirs = users.patient(), users.patient()
    link(mine, therapist)
    link(theirs, users.therapist())
    assert [r["id"] for r in triage(as_user, therapist)] == [str(mine.id)]


def test_triage_counts_agree_with_the_engine_on_random_diaries(users, therapist, as_user):
    import random

    from diary import clinical, queries

    rng = random.Random(20261128)
    classes = ("non_opioid_analgesic", "triptan", "ergot", "opioid", "combination_analgesic", "other")
    patients = []
    for n in range(8):
        patient = users.patient(name=f"Random {n}")
        link(patient, therapist)
        today = clock.today(patient)
        headache_chance, medicine_chance = rng.choice([0.2, 0.5, 0.8]), rng.choice([0.1, 0.5, 0.9])
        for days_ago in range(190):
            if rng.random() < 0.15:
                continue  # missing
            headaches = (
                [{"intensity": rng.randint(1, 10)}] * rng.choice((0, 1, 2))
                if rng.random() < headache_chance
                else []
            )
            medications = (
                [{"name": "x", "drug_class": rng.choice(classes)} for _ in range(rng.choice((1, 2)))]
                if rng.random() < medicine_chance
                else []
            )
            make_day(
                patient,
                today - timedelta(days=days_ago),
                headaches=headaches,
                medications=medications,
                soreness=rng.choice((None, 0, 1, 3, 4, 7)),
            )
        for days_ago in sorted(rng.sample(range(0, 170), rng.choice((0, 1, 3, 6)))):
            _add_session(patient, therapist, today - timedelta(days=days_ago))
        patients.append(patient)
    rows = {row["id"]: row for row in triage(as_user, therapist)}
    seen = {
        (row["medication_overuse_status"], row["prolonged_soreness"], row["change_pct"] is None)
        for row in rows.values()
    }
    assert {status for status, _, _ in seen} >= {"overuse", "none"} or len(seen) > 2, seen
    assert any(prolonged for _, prolonged, _ in seen) and any(not none for _, _, none in seen), seen
    for patient in patients:
        expected = clinical.triage_figures(
            queries.day_facts(patient), queries.session_facts(patient), clock.today(patient)
        )
        row = rows[str(patient.id)]
        assert (
            row["days_logged_28"],
            row["headache_days_28"],
            row["medication_overuse_status"],
            row["prolonged_soreness"],
            row["change_pct"],
        ) == (
            expected.days_logged_28,
            expected.headache_days_28,
            expected.medication_overuse_status,
            expected.prolonged_soreness,
            expected.change_pct,
        ), patient.display_name
