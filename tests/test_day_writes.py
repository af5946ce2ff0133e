"""Writes that must never lose what a patient saved: create-only PUT, one-tap controls."""

from __future__ import annotations

import re
from datetime import timedelta

from . import clock
from .factories import day_body, make_day


def _csrf(client) -> str:
    return client.get("/api/v1/auth/csrf").get_json()["csrf_token"]


def test_create_only_put_refuses_to_overwrite_a_day_made_elsewhere(logged_in, patient):
    url = f"/api/v1/patients/me/days/{clock.today(patient).isoformat()}"
    first = logged_in.put(url, json=day_body(), headers={"If-None-Match": "*"})
    assert first.status_code == 201
    other_phone = day_body(soreness=8)
    clash = logged_in.put(url, json=other_phone, headers={"If-None-Match": "*"})
    assert clash.status_code == 412
    assert clash.get_json()["current"]["soreness"] == 3
    assert clash.headers["ETag"] == '"1"'
    repeat = logged_in.put(url, json=day_body(), headers={"If-None-Match": "*"})
    assert repeat.status_code == 200 and repeat.headers["ETag"] == '"1"'


def _quick(client, patient, **form):
    day = clock.today(patient).isoformat()
    return client.post(f"/days/{day}/quick", data={"csrf_token": _csrf(client), **form})


def _stored(logged_in, patient):
    return logged_in.get(f"/api/v1/patients/me/days/{clock.today(patient).isoformat()}")


def test_no_headache_button_never_wipes_a_logged_headache(logged_in, patient):
    make_day(patient, clock.today(patient), headaches=[{"intensity": 7}], soreness=2)
    response = _quick(logged_in.client, patient, action="no_headache")
    assert response.status_code == 409
    assert "already logged" in response.get_data(as_text=True)
    assert _stored(logged_in, patient).get_json()["headaches"][0]["intensity"] == 7


def test_no_headache_button_keeps_the_rest_of_the_day(logged_in, patient):
    make_day(patient, clock.today(patient), soreness=4, exercises_done=True)
    assert _quick(logged_in.client, patient, action="no_headache").status_code == 302
    stored = _stored(logged_in, patient).get_json()
    assert (stored["headaches"], stored["soreness"], stored["exercises_done"]) == ([], 4, True)


def test_a_quick_soreness_out_of_range_changes_nothing(logged_in, patient):
    make_day(patient, clock.today(patient), soreness=2)
    for bad in ("11", "-1", "lots"):
        response = _quick(logged_in.client, patient, action="soreness", soreness=bad)
        assert response.status_code == 422
        assert re.search(r"Soreness is 0 to 10|whole number", response.get_data(as_text=True))
    assert _stored(logged_in, patient).get_json()["soreness"] == 2


def test_an_unknown_quick_action_changes_nothing(logged_in, patient):
    assert _quick(logged_in.client, patient, action="delete_everything").status_code == 422
    assert _stored(logged_in, patient).status_code == 404


def test_phones_racing_to_write_one_new_day_leave_one_whole_record(patient, as_user, app):
    """Eight writes of one new day at the same moment: one creates it, each other either replaces
    it whole or is told to try again; the day ends as the last successful write left it, with
    no item of any other write beside it."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from sqlalchemy import func, select

    from diary.extensions import db
    from diary.models import Headache, MedicationIntake

    url = f"/api/v1/patients/me/days/{clock.today(patient).isoformat()}"
    phones = [as_user(patient) for _ in range(8)]
    bodies = [
        day_body(notes=f"phone {n}", headaches=[dict(day_body()["headaches"][0], intensity=n + 1)] * (n % 3))
        for n in range(len(phones))
    ]
    start = Barrier(len(phones))

    def write(n: int):
        start.wait()
        return phones[n].put(url, json=bodies[n])

    with ThreadPoolExecutor(len(phones)) as pool:
        responses = list(pool.map(write, range(len(phones))))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1 and set(statuses) <= {200, 201, 409}, statuses
    assert all(
        r.headers["Content-Type"] == "application/problem+json" for r in responses if r.status_code == 409
    )
    done = {r.get_json()["version"]: r.get_json() for r in responses if r.status_code in (200, 201)}
    assert len(done) == statuses.count(200) + 1  # every successful write made its own version
    stored = phones[0].get(url).get_json()
    assert stored == done[max(done)]
    db.session.expire_all()
    for model, key in ((Headache, "headaches"), (MedicationIntake, "medications")):
        assert db.session.scalar(select(func.count()).select_from(model)) == len(stored[key])


def _bits_agree_with_medications(patient) -> dict:
    """Each of the patient's records: (its drug-class bits, the bits of its medications' classes)."""
    from sqlalchemy import select

    from diary.extensions import db
    from diary.models import DayRecord, drug_class_bits

    db.session.expire_all()
    records = db.session.scalars(select(DayRecord).where(DayRecord.patient_id == patient.id)).all()
    return {r.date: (r.drug_classes, drug_class_bits(m.drug_class for m in r.medications)) for r in records}


def test_a_days_drug_class_bits_follow_its_medications_through_every_write(logged_in, patient):
    """DayRecord.drug_classes, which the triage list and the months count, is written with the
    medications: a new day, a replaced one, one with none left, a quick action, and a record
    made as an object (the demo, the factories)."""
    from diary.models import drug_class_bits

    today = clock.today(patient)
    url = f"/api/v1/patients/me/days/{today.isoformat()}"
    triptan = {"name": "Sumatriptan 50 mg", "drug_class": "triptan", "doses": 1}
    assert logged_in.put(url, json=day_body()).status_code == 201
    assert _bits_agree_with_medications(patient)[today] == (drug_class_bits(["non_opioid_analgesic"]),) * 2
    assert logged_in.put(url, json=day_body(medications=[triptan, triptan])).status_code == 200
    assert _bits_agree_with_medications(patient)[today] == (drug_class_bits(["triptan"]),) * 2
    assert _quick(logged_in.client, patient, action="soreness", soreness="5").status_code == 302
    assert _bits_agree_with_medications(patient)[today] == (drug_class_bits(["triptan"]),) * 2
    assert logged_in.put(url, json=day_body(medications=[])).status_code == 200
    assert _bits_agree_with_medications(patient)[today] == (0, 0)
    yesterday = today - timedelta(days=1)
    make_day(patient, yesterday, medications=[{"name": "Co-codamol", "drug_class": "combination_analgesic"}])
    combination = drug_class_bits(["combination_analgesic"])
    assert _bits_agree_with_medications(patient)[yesterday] == (combination, combination)
