"""Day records over HTTP: ETag and If-Match, replace and delete, lists, who sees what, medications."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from diary.extensions import db
from diary.models import DayRecord

from . import clock
from .factories import assert_problem, day_body, link, make_day

TODAY = clock.today("Europe/London")
DAY = (TODAY - timedelta(days=3)).isoformat()
URL = "/api/v1/patients/me/days/{}"
LIST = "/api/v1/patients/{}/days"


def etag_of(version: int) -> str:
    return f'"{version}"'


def stored_count(patient, day: str) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count())
        .select_from(DayRecord)
        .where(DayRecord.patient_id == patient.id, DayRecord.date == date.fromisoformat(day))
    )


# -- ETag, If-Match, 201/200 ------------------------------------------------------------------


def test_a_new_day_is_201_with_its_version_as_etag(logged_in):
    response = logged_in.put(URL.format(DAY), json=day_body())
    assert response.status_code == 201
    record = response.get_json()
    assert record["date"] == DAY
    assert isinstance(record["version"], int)
    assert response.headers["ETag"] == etag_of(record["version"])
    assert datetime.fromisoformat(record["updated_at"]).utcoffset() is not None


def test_get_gives_the_same_record_and_etag(logged_in):
    put = logged_in.put(URL.format(DAY), json=day_body())
    got = logged_in.get(URL.format(DAY))
    assert got.status_code == 200
    assert got.get_json() == put.get_json()
    assert got.headers["ETag"] == put.headers["ETag"]


def test_replacing_a_day_is_200_with_a_new_version(logged_in, patient):
    first = logged_in.put(URL.format(DAY), json=day_body()).get_json()
    response = logged_in.put(URL.format(DAY), json=day_body(soreness=8, headaches=[]))
    assert response.status_code == 200
    record = response.get_json()
    assert record["version"] > first["version"]
    assert response.headers["ETag"] == etag_of(record["version"])
    assert record["soreness"] == 8 and record["headaches"] == []
    assert record["updated_at"] >= first["updated_at"]
    assert stored_count(patient, DAY) == 1


def test_put_replaces_the_whole_record_not_only_the_fields_sent(logged_in):
    logged_in.put(URL.format(DAY), json=day_body())
    record = logged_in.put(URL.format(DAY), json={"soreness": 2}).get_json()
    assert record["headaches"] == [] and record["medications"] == [] and record["triggers"] == []
    assert record["notes"] is None and record["exercises_done"] is None


TWO_HEADACHES = [
    {
        "start": "07:05",
        "duration_minutes": None,
        "intensity": 4,
        "type": "tension",
        "side": None,
        "locations": ["forehead"],
        "symptoms": [],
        "neck_provoked": None,
    },
    {
        "start": None,
        "duration_minutes": 240,
        "intensity": 9,
        "type": "migraine",
        "side": "left",
        "locations": ["temples", "behind_eyes"],
        "symptoms": ["nausea", "aura"],
        "neck_provoked": False,
    },
]
TWO_MEDICATIONS = [
    {"name": "Sumatriptan 50 mg", "drug_class": "triptan", "doses": 1, "time": None, "relief": None},
    {
        "name": "Paracetamol 500 mg",
        "drug_class": "non_opioid_analgesic",
        "doses": 2,
        "time": "23:45",
        "relief": "pain_free",
    },
]


@pytest.mark.parametrize(
    "before, after",
    [
        ({}, {"headaches": TWO_HEADACHES, "medications": TWO_MEDICATIONS}),
        ({"headaches": TWO_HEADACHES, "medications": TWO_MEDICATIONS}, {"headaches": [], "medications": []}),
        (
            {"headaches": TWO_HEADACHES},
            {"headaches": TWO_HEADACHES[::-1], "medications": TWO_MEDICATIONS[:1]},
        ),
        (
            {"medications": TWO_MEDICATIONS},
            {"headaches": TWO_HEADACHES[1:], "medications": TWO_MEDICATIONS[::-1]},
        ),
    ],
    ids=["none to two", "two to none", "reordered", "one table each"],
)
def test_every_item_written_reads_back_in_order_and_a_replace_leaves_no_old_item(
    logged_in, patient, before, after
):
    first = logged_in.put(URL.format(DAY), json=day_body(**before)).get_json()
    sent = day_body(**after)
    logged_in.put(URL.format(DAY), json=sent)
    got = logged_in.get(URL.format(DAY)).get_json()
    assert got["version"] == first["version"] + 1
    assert {k: got[k] for k in sent} == sent
    db.session.expire_all()
    record = db.session.scalar(select(DayRecord).where(DayRecord.patient_id == patient.id))
    assert [h.position for h in record.headaches] == list(range(len(sent["headaches"])))
    assert [m.position for m in record.medications] == list(range(len(sent["medications"])))


def test_if_match_naming_the_current_version_replaces(logged_in):
    first = logged_in.put(URL.format(DAY), json=day_body())
    response = logged_in.put(
        URL.format(DAY), json=day_body(soreness=1), headers={"If-Match": first.headers["ETag"]}
    )
    assert response.status_code == 200
    assert response.get_json()["soreness"] == 1


@pytest.mark.parametrize("if_match", ['"{v}"', 'W/"{v}"', "{v}"], ids=["strong", "weak", "bare"])
def test_if_match_naming_an_older_version_is_412_with_the_current_record(logged_in, if_match):
    old = logged_in.put(URL.format(DAY), json=day_body()).get_json()
    current = logged_in.put(URL.format(DAY), json=day_body(soreness=5))
    response = logged_in.put(
        URL.format(DAY), json=day_body(soreness=9), headers={"If-Match": if_match.format(v=old["version"])}
    )
    problem = assert_problem(response, 412)
    assert problem["current"] == current.get_json()
    assert response.headers["ETag"] == current.headers["ETag"]
    after = logged_in.get(URL.format(DAY))
    assert after.get_json() == current.get_json()
    assert after.headers["ETag"] == current.headers["ETag"]


def test_if_match_naming_no_version_is_412(logged_in):
    current = logged_in.put(URL.format(DAY), json=day_body())
    response = logged_in.put(
        URL.format(DAY), json=day_body(soreness=9), headers={"If-Match": '"not-a-version"'}
    )
    assert assert_problem(response, 412)["current"] == current.get_json()
    assert logged_in.get(URL.format(DAY)).get_json()["soreness"] == 3


def test_if_match_on_a_day_that_no_longer_exists_is_412_and_stores_nothing(logged_in):
    old = logged_in.put(URL.format(DAY), json=day_body())
    assert logged_in.delete(URL.format(DAY)).status_code == 204  # deleted on another phone
    response = logged_in.put(
        URL.format(DAY), json=day_body(soreness=9), headers={"If-Match": old.headers["ETag"]}
    )
    assert assert_problem(response, 412)["current"] is None
    assert logged_in.get(URL.format(DAY)).status_code == 404


def test_the_same_body_twice_leaves_one_record_and_the_same_version(logged_in, patient):
    first = logged_in.put(URL.format(DAY), json=day_body())
    second = logged_in.put(URL.format(DAY), json=day_body())
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.get_json() == first.get_json()
    assert second.headers["ETag"] == first.headers["ETag"]
    assert stored_count(patient, DAY) == 1
    assert len(logged_in.get(LIST.format("me") + f"?from={DAY}&to={DAY}").get_json()["days"]) == 1


def test_the_same_body_with_a_stale_if_match_changes_nothing_and_succeeds(logged_in):
    old = logged_in.put(URL.format(DAY), json=day_body())
    current = logged_in.put(URL.format(DAY), json=day_body(soreness=5))
    replay = logged_in.put(
        URL.format(DAY), json=day_body(soreness=5), headers={"If-Match": old.headers["ETag"]}
    )
    assert replay.status_code == 200
    assert replay.get_json() == current.get_json()
    assert replay.headers["ETag"] == current.headers["ETag"]


def test_a_body_that_normalises_to_the_stored_one_does_not_bump_the_version(logged_in):
    first = logged_in.put(URL.format(DAY), json=day_body(triggers=["stress"], notes=None))
    again = logged_in.put(URL.format(DAY), json=day_body(triggers=["stress", " stress "], notes="  "))
    assert again.status_code == 200
    assert again.headers["ETag"] == first.headers["ETag"]


def test_a_change_to_a_nested_field_bumps_the_version(logged_in):
    first = logged_in.put(URL.format(DAY), json=day_body())
    body = day_body()
    body["medications"][0]["relief"] = "pain_free"
    second = logged_in.put(URL.format(DAY), json=body)
    assert second.status_code == 200
    assert second.get_json()["version"] > first.get_json()["version"]
    assert second.get_json()["medications"][0]["relief"] == "pain_free"


# -- DELETE -----------------------------------------------------------------------------------


def test_a_deleted_day_is_missing_again(logged_in, patient):
    logged_in.put(URL.format(DAY), json=day_body())
    response = logged_in.delete(URL.format(DAY))
    assert response.status_code == 204
    assert response.get_data() == b""
    assert_problem(logged_in.get(URL.format(DAY)), 404)
    assert logged_in.get(LIST.format("me") + f"?from={DAY}&to={DAY}").get_json() == {"days": []}
    assert stored_count(patient, DAY) == 0
    assert_problem(logged_in.delete(URL.format(DAY)), 404)
    assert logged_in.put(URL.format(DAY), json=day_body()).status_code == 201


def test_delete_with_a_stale_if_match_is_412_and_keeps_the_day(logged_in):
    old = logged_in.put(URL.format(DAY), json=day_body())
    current = logged_in.put(URL.format(DAY), json=day_body(soreness=5))
    response = logged_in.delete(URL.format(DAY), headers={"If-Match": old.headers["ETag"]})
    assert assert_problem(response, 412)["current"] == current.get_json()
    assert logged_in.get(URL.format(DAY)).get_json() == current.get_json()


def test_delete_with_the_current_if_match_deletes(logged_in):
    current = logged_in.put(URL.format(DAY), json=day_body())
    response = logged_in.delete(URL.format(DAY), headers={"If-Match": current.headers["ETag"]})
    assert response.status_code == 204
    assert logged_in.get(URL.format(DAY)).status_code == 404


# -- Lists ------------------------------------------------------------------------------------


def _iso(days_back: int) -> str:
    return (TODAY - timedelta(days=days_back)).isoformat()


def test_the_list_is_ordered_by_date_and_bounded_by_from_and_to(logged_in):
    for back in (2, 9, 5, 10, 1, 6):  # written out of order
        assert logged_in.put(URL.format(_iso(back)), json=day_body(soreness=back)).status_code == 201
    response = logged_in.get(LIST.format("me") + f"?from={_iso(9)}&to={_iso(2)}")
    assert response.status_code == 200
    days = response.get_json()["days"]
    assert [d["date"] for d in days] == [_iso(9), _iso(6), _iso(5), _iso(2)]
    assert [d["soreness"] for d in days] == [9, 6, 5, 2]
    assert days[0] == logged_in.get(URL.format(_iso(9))).get_json()


@time_machine.travel(datetime(2026, 6, 15, 12, 0, tzinfo=UTC), tick=False)
def test_the_default_list_is_the_28_days_ending_on_the_patients_today(api, users):
    patient = users.patient()
    for day in (date(2026, 6, 15), date(2026, 5, 19), date(2026, 5, 18), date(2026, 6, 1)):
        make_day(patient, day, soreness=day.day % 10)
    api.login(patient)
    days = api.get(LIST.format("me")).get_json()["days"]
    assert [d["date"] for d in days] == ["2026-05-19", "2026-06-01", "2026-06-15"]
    only_to = api.get(LIST.format("me") + "?to=2026-06-14").get_json()["days"]
    assert [d["date"] for d in only_to] == ["2026-05-18", "2026-05-19", "2026-06-01"]
    only_from = api.get(LIST.format("me") + "?from=2026-06-01").get_json()["days"]
    assert [d["date"] for d in only_from] == ["2026-06-01", "2026-06-15"]


def test_a_list_of_2000_days_is_allowed_and_2001_refused(logged_in):
    first = date(2020, 1, 1)
    ok = logged_in.get(LIST.format("me") + f"?from={first}&to={first + timedelta(days=1999)}")
    assert ok.status_code == 200
    too_many = logged_in.get(LIST.format("me") + f"?from={first}&to={first + timedelta(days=2000)}")
    assert_problem(too_many, 422)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (f"?from={_iso(1)}&to={_iso(5)}", "from"),
        ("?from=2026-02-30", "from"),
        ("?to=yesterday", "to"),
        ("?from=", "from"),
    ],
)
def test_a_bad_list_range_is_a_422(logged_in, query, field):
    problem = assert_problem(logged_in.get(LIST.format("me") + query), 422)
    assert field in problem["errors"]


# -- Who sees what ----------------------------------------------------------------------------


@pytest.fixture
def patient_a_day(logged_in, patient):
    """Patient A (`patient`) has one day logged; returns its record as A reads it."""
    response = logged_in.put(URL.format(DAY), json=day_body())
    assert response.status_code == 201
    return response.get_json()


def _a_paths(patient) -> list[str]:
    return [
        f"/api/v1/patients/{patient.id}/days/{DAY}",
        f"/api/v1/patients/{patient.id}/days",
        f"/api/v1/patients/{patient.id}/days?from={DAY}&to={DAY}",
    ]


def test_another_patient_gets_404_for_every_day_route_of_patient_a(patient_a_day, patient, users, as_user):
    other = as_user(users.patient())
    for path in _a_paths(patient):
        assert_problem(other.get(path), 404)
    assert_problem(other.get(URL.format(DAY)), 404)  # `me` is B, who has no such day
    assert other.get(LIST.format("me")).get_json() == {"days": []}


def test_another_patients_writes_never_touch_patient_a(patient_a_day, logged_in, users, as_user):
    other = as_user(users.patient())
    assert_problem(other.delete(URL.format(DAY)), 404)
    assert other.put(URL.format(DAY), json=day_body(soreness=10, headaches=[])).status_code == 201
    assert other.put(URL.format(DAY), json=day_body(soreness=9)).status_code == 200
    assert other.delete(URL.format(DAY)).status_code == 204
    mine = logged_in.get(URL.format(DAY))
    assert mine.get_json() == patient_a_day
    assert mine.headers["ETag"] == etag_of(patient_a_day["version"])


def test_an_unlinked_therapist_gets_404_and_a_linked_one_reads(patient_a_day, patient, users, as_user):
    stranger = as_user(users.therapist())
    for path in _a_paths(patient):
        assert_problem(stranger.get(path), 404)
    therapist = users.therapist()
    link(patient, therapist)
    linked = as_user(therapist)
    assert linked.get(_a_paths(patient)[0]).get_json() == patient_a_day
    assert [d["date"] for d in linked.get(_a_paths(patient)[2]).get_json()["days"]] == [DAY]


@pytest.mark.parametrize(
    "pid", [str(uuid.uuid4()), str(uuid.UUID(int=0)), "123", "not-a-uuid", "ME", "me ", "%20", "1" * 200]
)
def test_unknown_or_malformed_patient_ids_are_404(logged_in, patient_a_day, users, as_user, pid):
    for client in (logged_in, as_user(users.therapist())):
        assert_problem(client.get(f"/api/v1/patients/{pid}/days/{DAY}"), 404)
        assert_problem(client.get(f"/api/v1/patients/{pid}/days"), 404)


def test_a_hidden_patient_and_a_missing_one_get_the_same_404(patient_a_day, patient, users, as_user):
    other = as_user(users.patient())
    hidden = other.get(f"/api/v1/patients/{patient.id}/days/{DAY}")
    missing = other.get(f"/api/v1/patients/{uuid.uuid4()}/days/{DAY}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_data() == missing.get_data()


# -- Medications ------------------------------------------------------------------------------

ACUTE_CLASSES = {"non_opioid_analgesic", "triptan", "ergot", "opioid", "combination_analgesic", "other_acute"}

# docs/clinical-rules.md section 3: a catalogue name that starts so has this class.
CATALOGUE_CLASSES = [
    ("paracetamol 500", "non_opioid_analgesic"),
    ("ibuprofen", "non_opioid_analgesic"),
    ("aspirin 300", "non_opioid_analgesic"),
    ("naproxen", "non_opioid_analgesic"),
    ("diclofenac", "non_opioid_analgesic"),
    ("sumatriptan", "triptan"),
    ("rizatriptan", "triptan"),
    ("zolmitriptan", "triptan"),
    ("naratriptan", "triptan"),
    ("almotriptan", "triptan"),
    ("eletriptan", "triptan"),
    ("frovatriptan", "triptan"),
    ("ergotamine", "ergot"),
    ("codeine", "opioid"),
    ("dihydrocodeine", "opioid"),
    ("tramadol", "opioid"),
    ("morphine", "opioid"),
    ("co-codamol", "combination_analgesic"),
    ("co-dydramol", "combination_analgesic"),
    ("paracetamol and caffeine", "combination_analgesic"),
    ("aspirin, paracetamol and caffeine", "combination_analgesic"),
    ("rimegepant", "other_acute"),
    ("lasmiditan", "other_acute"),
]
MUST_BE_LISTED = {"paracetamol 500", "ibuprofen", "sumatriptan", "ergotamine", "codeine", "co-codamol"}
ACTIVE_INGREDIENTS = ("paracetamol", "aspirin", "ibuprofen", "codeine", "caffeine", "dihydrocodeine")


@pytest.fixture
def catalogue(logged_in) -> list[dict]:
    response = logged_in.get("/api/v1/medications/catalogue")
    assert response.status_code == 200
    return response.get_json()["medications"]


@pytest.mark.parametrize(("prefix", "drug_class"), CATALOGUE_CLASSES, ids=[p for p, _ in CATALOGUE_CLASSES])
def test_the_catalogue_gives_each_medication_its_ichd3_class(catalogue, prefix, drug_class):
    matching = [m for m in catalogue if m["name"].lower().startswith(prefix)]
    if prefix in MUST_BE_LISTED:
        assert matching, f"no {prefix} in the catalogue"
    for item in matching:
        assert item["drug_class"] == drug_class, item


def test_the_catalogue_covers_every_acute_class_and_no_unknown_one(catalogue):
    classes = {m["drug_class"] for m in catalogue}
    assert ACUTE_CLASSES <= classes
    assert classes <= ACUTE_CLASSES | {"other"}
    assert all(set(m) == {"name", "drug_class"} and m["name"] for m in catalogue)
    names = [m["name"] for m in catalogue]
    assert len(names) == len(set(names))


def test_catalogue_medications_with_two_active_ingredients_are_combinations(catalogue):
    for item in catalogue:
        name = item["name"].lower()
        mentioned = {i for i in ACTIVE_INGREDIENTS if i in name.replace("dihydrocodeine", "dihydro")}
        if len(mentioned) >= 2 or name.startswith("co-"):
            assert item["drug_class"] == "combination_analgesic", item


def test_the_catalogue_needs_a_login(api):
    assert_problem(api.get("/api/v1/medications/catalogue"), 401)


def _medication(name: str, drug_class: str) -> dict:
    return {"name": name, "drug_class": drug_class}


def test_my_medications_are_my_own_most_recently_used_first(logged_in, users, as_user):
    entries = [  # (days back, medications), written in this order
        (1, [_medication("Co-codamol 30/500", "combination_analgesic")]),
        (8, [_medication("Ibuprofen 400 mg", "non_opioid_analgesic")]),
        (
            3,
            [
                _medication("Sumatriptan 50 mg", "triptan"),
                _medication("Ibuprofen 400 mg", "non_opioid_analgesic"),
            ],
        ),
        (6, [_medication("Propranolol 40 mg", "other")]),
    ]
    for back, medications in entries:
        response = logged_in.put(URL.format(_iso(back)), json=day_body(medications=medications))
        assert response.status_code == 201
    other = as_user(users.patient())
    assert (
        other.put(
            URL.format(_iso(1)), json=day_body(medications=[_medication("Tramadol 50 mg", "opioid")])
        ).status_code
        == 201
    )

    response = logged_in.get("/api/v1/patients/me/medications")
    assert response.status_code == 200
    names = [m["name"] for m in response.get_json()["medications"]]
    assert names[0] == "Co-codamol 30/500"
    assert set(names[1:3]) == {"Sumatriptan 50 mg", "Ibuprofen 400 mg"}  # both last taken 3 days ago
    assert names[3:] == ["Propranolol 40 mg"]
    assert "Tramadol 50 mg" not in names
    by_name = {m["name"]: m["drug_class"] for m in response.get_json()["medications"]}
    assert by_name["Sumatriptan 50 mg"] == "triptan"


def test_my_medications_are_empty_before_any_is_logged(logged_in):
    assert logged_in.get("/api/v1/patients/me/medications").get_json() == {"medications": []}


def test_my_medications_are_for_patients_only(api, users):
    api.login(users.therapist())
    assert_problem(api.get("/api/v1/patients/me/medications"), 403)
