"""Export and import (docs/export-import.md): the round trip of the demo diary through JSON and
CSV, FHIR bundles validated by fhir.resources (its R4B package, the R4-compatible release), and
bad files answered in plain words with nothing written."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import func, select

from diary import queries
from diary.demo import DEMO_PATIENT, load_demo_data
from diary.extensions import db
from diary.models import AccessEvent, DayRecord, User

from . import clock
from .factories import day_body, link, make_day

EXPORT = "/api/v1/patients/{pid}/export?format={format}"
IMPORT = "/api/v1/patients/me/import"


def export(client, format_name: str, pid: str = "me"):
    response = client.get(EXPORT.format(pid=pid, format=format_name))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def upload(client, body: bytes | dict, query: str = "", content_type: str | None = None):
    if isinstance(body, dict):
        body, content_type = json.dumps(body).encode(), content_type or "application/json"
    return client.request(
        "POST", IMPORT + query, data=body, headers={"Content-Type": content_type or "application/zip"}
    )


def days_of(document: dict) -> list[dict]:
    """The days of a JSON export without what each write sets anew (its time and version)."""
    return [{k: v for k, v in day.items() if k not in ("updated_at", "version")} for day in document["days"]]


def zip_of(**files: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name.replace("_csv", ".csv"), text)
    return buffer.getvalue()


def stored_days(patient: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(DayRecord).where(DayRecord.patient_id == patient.id)
    )


@pytest.fixture
def demo(app, as_user):
    """The demo patient (diary/demo.py), logged in."""
    load_demo_data()
    patient = db.session.scalar(select(User).where(User.email == DEMO_PATIENT[0]))
    patient.plain_password = DEMO_PATIENT[1]
    return as_user(patient)


# -- The round trip ---------------------------------------------------------------------------------


def test_the_demo_diary_brought_into_new_accounts_as_json_and_as_csv_exports_the_same_days(
    demo, patient, users, as_user
):
    first = export(demo, "json")
    assert first.headers["Content-Disposition"].startswith('attachment; filename="headache-diary-')
    document = first.get_json()
    assert document["format_version"] == 1 and document["rules_version"] == 2
    assert document["patient"] == {"display_name": DEMO_PATIENT[2], "timezone": "Europe/London"}
    assert len(document["days"]) > 150 and len(document["sessions"]) == 10

    newcomer = as_user(patient)
    answer = upload(newcomer, first.get_data())
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {
        "created": len(document["days"]),
        "replaced": 0,
        "unchanged": 0,
        "conflicts": [],
        "errors": [],
    }
    again = export(newcomer, "json").get_json()
    assert json.dumps(days_of(again)) == json.dumps(days_of(document))
    assert again["sessions"] == []  # sessions are the therapist's record: not imported

    # The CSV ZIP, into another new account: the same files again
    first = export(demo, "csv")
    assert first.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(first.get_data()))
    assert archive.namelist() == ["days.csv", "headaches.csv", "medications.csv", "sessions.csv"]
    days = list(csv.DictReader(io.StringIO(archive.read("days.csv").decode())))
    assert days[0].keys() >= {"date", "had_headache", "soreness", "notes"}
    assert len(list(csv.reader(io.StringIO(archive.read("sessions.csv").decode())))) == 11

    newcomer = as_user(users.patient())
    answer = upload(newcomer, first.get_data())
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["created"] == len(days)
    again = zipfile.ZipFile(io.BytesIO(export(newcomer, "csv").get_data()))
    for name in ("days.csv", "headaches.csv", "medications.csv"):
        assert again.read(name) == archive.read(name), name
    assert days_of(export(newcomer, "json").get_json()) == days_of(export(demo, "json").get_json())


# -- FHIR ---------------------------------------------------------------------------------------------


def resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_the_demo_diary_as_fhir_is_a_valid_r4_bundle_of_its_headaches_medicines_and_sessions(demo):
    response = export(demo, "fhir")
    assert response.mimetype == "application/fhir+json"
    bundle = json.loads(response.get_data())
    Bundle.model_validate(bundle)
    document = export(demo, "json").get_json()
    headaches = [h for day in document["days"] for h in day["headaches"]]
    intakes = [m for day in document["days"] for m in day["medications"]]
    sore = [day for day in document["days"] if day["soreness"] is not None]
    observations = resources(bundle, "Observation")
    intensity = [o for o in observations if o["code"].get("coding", [{}])[0].get("code") == "72514-3"]
    assert [o["valueInteger"] for o in intensity] == [h["intensity"] for h in headaches]
    assert all(o["code"]["coding"][0]["system"] == "http://loinc.org" for o in intensity)
    soreness = [o for o in observations if o["code"]["text"].startswith("Soreness")]
    assert [o["valueInteger"] for o in soreness] == [d["soreness"] for d in sore]
    statements = resources(bundle, "MedicationStatement")
    assert len(statements) == len(intakes)
    ibuprofen = next(s for s in statements if s["medicationCodeableConcept"]["text"] == "Ibuprofen 400 mg")
    assert ibuprofen["medicationCodeableConcept"]["coding"] == [
        {"system": "http://www.whocc.no/atc", "code": "M01AE01", "display": "ibuprofen"}
    ]
    assert len(resources(bundle, "Procedure")) == 10
    assert len({e["fullUrl"] for e in bundle["entry"]}) == len(bundle["entry"])


def test_fhir_bundles_of_an_empty_diary_a_full_day_and_unicode_are_valid(app, patient, therapist, as_user):
    client = as_user(patient)
    empty = json.loads(export(client, "fhir").get_data())
    Bundle.model_validate(empty)
    assert [e["resource"]["resourceType"] for e in empty["entry"]] == ["Patient"]

    day = clock.today(patient) - timedelta(days=1)
    twelve = [{"intensity": 1 + i % 10, "start": f"{i:02d}:15", "type": "migraine"} for i in range(12)]
    note = "Kopfschmerz 頭痛 😖 — «naïve» straße"
    body = day_body(headaches=twelve, notes=note, triggers=["café", "ρ"])
    body["medications"][0]["name"] = "Ibuprofène 400 mg ✓"
    assert client.put(f"/api/v1/patients/me/days/{day.isoformat()}", json=body).status_code == 201
    link(patient, therapist)
    therapist_client = as_user(therapist)
    session = {"date": day.isoformat(), "techniques": ["education"], "notes": "Übungen erklärt 👍"}
    assert therapist_client.post(f"/api/v1/patients/{patient.id}/sessions", json=session).status_code == 201

    bundle = json.loads(export(client, "fhir").get_data())
    Bundle.model_validate(bundle)
    observations = resources(bundle, "Observation")
    assert len([o for o in observations if "coding" in o["code"]]) == 12
    assert observations[0]["effectiveDateTime"].startswith(f"{day.isoformat()}T00:15:00")
    assert any(note in o.get("valueString", "") for o in observations)
    (statement,) = resources(bundle, "MedicationStatement")
    assert statement["medicationCodeableConcept"] == {"text": "Ibuprofène 400 mg ✓"}  # no code it cannot name
    (procedure,) = resources(bundle, "Procedure")
    assert procedure["note"] == [{"text": "Übungen erklärt 👍"}]


# -- Who may export -------------------------------------------------------------------------------------


def test_a_linked_therapists_export_is_in_the_patients_access_log(app, patient, therapist, as_user):
    make_day(patient, clock.today(patient) - timedelta(days=2), soreness=2)
    link(patient, therapist)
    response = export(as_user(therapist), "csv", pid=str(patient.id))
    assert zipfile.ZipFile(io.BytesIO(response.get_data())).read("days.csv").count(b"\r\n") == 2
    events = db.session.scalars(select(AccessEvent).where(AccessEvent.patient_id == patient.id)).all()
    assert [(e.actor_id, e.action, e.what) for e in events] == [
        (therapist.id, "read", "the whole diary, exported as a file")
    ]


def test_an_export_reads_the_days_in_batches(app, patient):
    today = clock.today(patient)
    for back in range(1, 6):
        make_day(patient, today - timedelta(days=back))
    batches = [len(b) for b in queries.days_in_batches(patient, batch=2)]
    assert batches == [2, 2, 1]


def test_an_unknown_format_is_refused_in_words(app, patient, as_user):
    response = as_user(patient).get(EXPORT.format(pid="me", format="pdf"))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"format": ["Choose json, csv or fhir."]}


# -- Conflicts, and the preview ---------------------------------------------------------------------------


def test_a_stored_day_with_other_content_is_a_conflict_left_alone_unless_replaced(app, patient, as_user):
    client = as_user(patient)
    today = clock.today(patient)
    same, other, new = (today - timedelta(days=n) for n in (3, 2, 1))
    for day in (same, other):
        assert client.put(f"/api/v1/patients/me/days/{day}", json=day_body()).status_code == 201
    file = {
        "days": [
            {**day_body(), "date": str(same)},
            {**day_body(soreness=9), "date": str(other)},
            {**day_body(), "date": str(new)},
        ]
    }

    preview = upload(client, file, "?dry_run=true")
    assert preview.status_code == 200
    assert preview.get_json() == {
        "created": 1,
        "replaced": 0,
        "unchanged": 1,
        "conflicts": [str(other)],
        "errors": [],
    }
    assert stored_days(patient) == 2  # a preview writes nothing

    kept = upload(client, file)
    assert kept.get_json()["conflicts"] == [str(other)]
    assert client.get(f"/api/v1/patients/me/days/{other}").get_json()["soreness"] == 3
    assert stored_days(patient) == 3

    replaced = upload(client, file, "?on_conflict=replace")
    assert replaced.get_json() == {"created": 0, "replaced": 1, "unchanged": 2, "conflicts": [], "errors": []}
    assert client.get(f"/api/v1/patients/me/days/{other}").get_json()["soreness"] == 9


# -- Bad files ------------------------------------------------------------------------------------------

DAYS_HEADER = "date,had_headache,soreness,exercises_done,triggers,notes,red_flags\r\n"


def bad_file_cases(today):
    yesterday, before = today - timedelta(days=1), today - timedelta(days=2)
    return {
        "wrong columns": (
            zip_of(days_csv="date,mood\r\n2026-01-01,grumpy\r\n"),
            [{"file": "days.csv", "row": 1, "field": "mood"}],
        ),
        "no date column": (
            zip_of(days_csv="soreness\r\n3\r\n"),
            [{"file": "days.csv", "row": 1, "field": "date"}],
        ),
        "bad dates": (
            zip_of(
                days_csv=DAYS_HEADER + f"{yesterday},no,,,,,\r\n31/12/2025,no,,,,,\r\n2026-02-30,yes,,,,,\r\n"
            ),
            [
                {"file": "days.csv", "row": 3, "field": "date"},
                {"file": "days.csv", "row": 4, "field": "date"},
            ],
        ),
        "a date to come": (
            zip_of(days_csv=DAYS_HEADER + f"{today + timedelta(days=2)},no,,,,,\r\n"),
            [{"file": "days.csv", "row": 2, "field": "date"}],
        ),
        "duplicate dates": (
            zip_of(
                days_csv=DAYS_HEADER + f"{yesterday},no,,,,,\r\n{before},no,,,,,\r\n{yesterday},no,2,,,,\r\n"
            ),
            [{"file": "days.csv", "row": 4, "field": "date"}],
        ),
        "values out of range": (
            zip_of(
                days_csv=DAYS_HEADER + f"{yesterday},maybe,,,,,\r\n{before},yes,12,,,,\r\n",
                headaches_csv=f"date,number,intensity\r\n{before},1,11\r\n",
            ),
            [
                {"file": "days.csv", "row": 2, "field": "had_headache"},
                {"file": "days.csv", "row": 3, "field": "soreness"},
                {"file": "headaches.csv", "row": 2, "field": "intensity"},
            ],
        ),
        "json duplicates and bad dates": (
            {"days": [{"date": str(yesterday)}, {"date": "yesterday"}, {"date": str(yesterday)}]},
            [{"file": None, "row": 2, "field": "date"}, {"file": None, "row": 3, "field": "date"}],
        ),
        "not a diary": (b"%PDF-1.7 not a diary", [{"file": None, "row": None, "field": "file"}]),
        "broken json": (b'{"days": [', [{"file": None, "row": None, "field": "file"}]),
    }


def test_bad_files_are_answered_in_plain_words_naming_file_row_and_field_and_nothing_is_written(
    app, patient, as_user
):
    client = as_user(patient)
    for case, (body, where) in bad_file_cases(clock.today(patient)).items():
        for query in ("?dry_run=true", ""):
            response = upload(
                client, body, query, "application/octet-stream" if isinstance(body, bytes) else None
            )
            assert response.status_code == 422, (case, response.get_data(as_text=True))
            assert response.mimetype == "application/problem+json"
            errors = response.get_json()["errors"]
            assert [{k: e[k] for k in ("file", "row", "field")} for e in errors] == where, case
            assert all(e["message"][0].isupper() and "Traceback" not in e["message"] for e in errors), case
    assert stored_days(patient) == 0


def test_one_bad_row_keeps_the_good_ones_out_too(app, patient, as_user):
    yesterday = clock.today(patient) - timedelta(days=1)
    body = zip_of(
        days_csv=DAYS_HEADER + f"{yesterday},no,1,,,,\r\n{yesterday - timedelta(days=1)},no,99,,,,\r\n"
    )
    response = upload(as_user(patient), body)
    assert response.status_code == 422
    assert (
        response.get_json()["created"] == 1
        and response.get_json()["errors"][0]["message"] == "Soreness is 0 to 10."
    )
    assert stored_days(patient) == 0


def test_a_file_over_20_mb_is_refused_with_413(app, patient, as_user):
    response = upload(as_user(patient), b"PK\x03\x04" + b"\0" * (20 * 1024 * 1024))
    assert response.status_code == 413
    assert "20 MB" in response.get_json()["detail"]


def zip_bomb(size: int, declared: int | None = None) -> bytes:
    """A ZIP whose days.csv unpacks to `size` bytes (of one repeated byte); `declared` is the size
    its headers give instead (both the local header's and the central directory's)."""
    data = zip_of(days_csv=DAYS_HEADER + " " * size)
    if declared is None:
        return data
    archive = bytearray(data)
    real = (len(DAYS_HEADER) + size).to_bytes(4, "little")
    for offset in (22, archive.rfind(b"PK\x01\x02") + 24):
        assert bytes(archive[offset : offset + 4]) == real
        archive[offset : offset + 4] = declared.to_bytes(4, "little")
    return bytes(archive)


def test_zip_bombs_are_refused_in_plain_words_before_they_unpack(app, patient, as_user):
    client = as_user(patient)
    bombs = {
        "more than 50 MB": zip_bomb(1000, declared=60 * 1024 * 1024),
        "packed too tightly": zip_bomb(3 * 1024 * 1024),
        "damaged": zip_bomb(3 * 1024 * 1024, declared=1000),  # it says it holds less than it does
        "at most 10": zip_of(**{f"f{i}_csv": "date\r\n" for i in range(11)}),
    }
    for words, bomb in bombs.items():
        response = upload(client, bomb)
        assert response.status_code == 422
        (error,) = response.get_json()["errors"]
        assert words in error["message"]
    assert stored_days(patient) == 0


def test_a_therapists_note_that_looks_like_a_formula_is_inert_in_sessions_csv(
    app, patient, therapist, as_user
):
    link(patient, therapist)
    day = clock.today(patient) - timedelta(days=1)
    note = '=HYPERLINK("http://evil.example","Open")'
    body = {"date": day.isoformat(), "techniques": ["education"], "notes": note}
    assert as_user(therapist).post(f"/api/v1/patients/{patient.id}/sessions", json=body).status_code == 201
    archive = zipfile.ZipFile(io.BytesIO(export(as_user(patient), "csv").get_data()))
    (row,) = csv.DictReader(io.StringIO(archive.read("sessions.csv").decode()))
    assert row["notes"] == "'" + note
