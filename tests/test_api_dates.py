"""Diary dates follow the patient's own calendar (docs/clinical-rules.md section 1): nothing after their
today, nothing more than 5 years back, whatever the server's clock zone says."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from diary import operations
from diary.errors import InvalidInput

from .factories import day_body

URL = "/api/v1/patients/me/days/{}"


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@pytest.fixture
def clock():
    """Stop the clock at a UTC instant for the rest of the test."""
    travellers = []

    def stop_at(text: str):
        traveller = time_machine.travel(instant(text), tick=False)
        traveller.start()
        travellers.append(traveller)

    yield stop_at
    for traveller in reversed(travellers):
        traveller.stop()


@pytest.fixture
def patient_in(users, new_api):
    """A logged-in client for a new patient living in `zone`."""

    def make(zone: str):
        patient = users.patient(timezone=zone)
        client = new_api()
        client.login(patient)
        client.patient = patient
        return client

    return make


def assert_date_refused(response):
    assert response.status_code == 422, response.get_json()
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "date" in response.get_json()["errors"]


# (patient's zone, the UTC instant, the patient's today then)
TODAYS = [
    ("Pacific/Kiritimati", "2026-06-15T09:59:59Z", date(2026, 6, 15)),  # 23:59:59 at UTC+14
    ("Pacific/Kiritimati", "2026-06-15T10:00:00Z", date(2026, 6, 16)),
    ("Pacific/Kiritimati", "2026-06-15T12:00:00Z", date(2026, 6, 16)),
    ("Pacific/Pago_Pago", "2026-06-15T10:59:59Z", date(2026, 6, 14)),  # 23:59:59 at UTC-11
    ("Pacific/Pago_Pago", "2026-06-15T11:00:00Z", date(2026, 6, 15)),
    ("Pacific/Pago_Pago", "2026-06-15T12:00:00Z", date(2026, 6, 15)),
    ("Europe/London", "2026-03-28T23:30:00Z", date(2026, 3, 28)),  # GMT
    ("Europe/London", "2026-03-29T00:30:00Z", date(2026, 3, 29)),  # GMT, clocks go forward at 01:00Z
    ("Europe/London", "2026-03-29T22:59:59Z", date(2026, 3, 29)),  # 23:59:59 BST
    ("Europe/London", "2026-03-29T23:30:00Z", date(2026, 3, 30)),  # 00:30 BST on the 30th
    ("Europe/London", "2026-10-24T23:30:00Z", date(2026, 10, 25)),  # 00:30 BST on the 25th
    ("Europe/London", "2026-10-25T00:30:00Z", date(2026, 10, 25)),  # 01:30 BST, the first one
    ("Europe/London", "2026-10-25T01:30:00Z", date(2026, 10, 25)),  # 01:30 GMT, the second one
    ("Europe/London", "2026-10-25T23:30:00Z", date(2026, 10, 25)),  # 23:30 GMT
    ("Europe/London", "2026-10-26T00:00:00Z", date(2026, 10, 26)),
    ("America/St_Johns", "2026-07-01T02:29:00Z", date(2026, 6, 30)),  # UTC-2:30 in summer
    ("Asia/Kathmandu", "2026-06-30T18:15:00Z", date(2026, 7, 1)),  # UTC+5:45
]


@pytest.mark.parametrize(("zone", "at", "today"), TODAYS, ids=[f"{z}@{a}" for z, a, _ in TODAYS])
def test_the_patients_today_is_accepted_and_the_next_day_refused(clock, patient_in, zone, at, today):
    clock(at)
    api = patient_in(zone)
    assert api.patient.today() == today
    assert api.get("/api/v1/me").get_json()["timezone"] == zone

    tomorrow = today + timedelta(days=1)
    assert_date_refused(api.put(URL.format(tomorrow), json=day_body()))
    assert api.get(URL.format(tomorrow)).status_code == 404
    assert api.put(URL.format(today), json=day_body()).status_code == 201


def test_one_instant_is_a_different_today_east_and_west_of_the_date_line(clock, patient_in):
    clock("2026-06-15T12:00:00Z")
    east, west = patient_in("Pacific/Kiritimati"), patient_in("Pacific/Pago_Pago")
    assert east.put(URL.format("2026-06-16"), json=day_body()).status_code == 201
    assert_date_refused(west.put(URL.format("2026-06-16"), json=day_body()))
    assert west.put(URL.format("2026-06-15"), json=day_body()).status_code == 201
    assert east.put(URL.format("2026-06-15"), json=day_body()).status_code == 201
    assert east.get(URL.format("2026-06-16")).status_code == 200
    assert west.get(URL.format("2026-06-16")).status_code == 404


def test_a_new_time_zone_moves_today_at_once(clock, patient_in):
    clock("2026-06-15T12:00:00Z")
    api = patient_in("Europe/London")
    assert_date_refused(api.put(URL.format("2026-06-16"), json=day_body()))
    assert api.patch("/api/v1/me", json={"timezone": "Pacific/Kiritimati"}).status_code == 200
    assert api.put(URL.format("2026-06-16"), json=day_body()).status_code == 201


def test_a_date_far_in_the_future_is_refused(clock, patient_in):
    clock("2026-06-15T12:00:00Z")
    api = patient_in("Europe/London")
    for day in ("2026-07-15", "2027-06-15", "9999-12-31"):
        assert_date_refused(api.put(URL.format(day), json=day_body()))


# (zone, the UTC instant, the earliest date accepted, the day before it, refused)
FIVE_YEARS = [
    ("Europe/London", "2026-06-15T12:00:00Z", date(2021, 6, 15)),
    ("Europe/London", "2026-01-01T00:30:00Z", date(2021, 1, 1)),
    ("Europe/London", "2028-02-29T12:00:00Z", date(2023, 2, 28)),  # no 29 February in 2023
    ("Europe/London", "2029-02-28T12:00:00Z", date(2024, 2, 28)),
    ("Europe/London", "2029-03-01T12:00:00Z", date(2024, 3, 1)),
    ("Pacific/Kiritimati", "2026-06-15T12:00:00Z", date(2021, 6, 16)),
    ("Pacific/Pago_Pago", "2026-06-15T12:00:00Z", date(2021, 6, 15)),
]


@pytest.mark.parametrize(("zone", "at", "earliest"), FIVE_YEARS, ids=[f"{z}@{a}" for z, a, _ in FIVE_YEARS])
def test_five_years_back_is_accepted_and_a_day_more_refused(clock, patient_in, zone, at, earliest):
    clock(at)
    api = patient_in(zone)
    too_old = earliest - timedelta(days=1)
    assert_date_refused(api.put(URL.format(too_old), json=day_body()))
    assert api.get(URL.format(too_old)).status_code == 404
    assert api.put(URL.format(earliest), json=day_body()).status_code == 201


def test_29_february_five_years_back_is_inside_the_window_when_it_exists(clock, patient_in):
    clock("2029-02-28T12:00:00Z")
    api = patient_in("Europe/London")
    assert api.put(URL.format("2024-02-29"), json=day_body()).status_code == 201
    clock("2029-03-01T12:00:00Z")
    assert_date_refused(api.put(URL.format("2024-02-29"), json=day_body(soreness=1)))


def test_a_refused_date_leaves_a_stored_day_as_it_was(clock, patient_in):
    clock("2026-06-15T12:00:00Z")
    api = patient_in("Europe/London")
    stored = api.put(URL.format("2021-06-15"), json=day_body())
    clock("2026-06-16T12:00:00Z")  # the stored day is now more than 5 years back
    assert_date_refused(api.put(URL.format("2021-06-15"), json=day_body(soreness=9)))
    assert api.get(URL.format("2021-06-15")).get_json() == stored.get_json()


@pytest.mark.parametrize(("zone", "at", "today"), TODAYS[:6], ids=[f"{z}@{a}" for z, a, _ in TODAYS[:6]])
def test_check_diary_date_follows_the_patients_zone(clock, users, zone, at, today):
    clock(at)
    patient = users.patient(timezone=zone)
    operations.check_diary_date(patient, today)
    with pytest.raises(InvalidInput) as refused:
        operations.check_diary_date(patient, today + timedelta(days=1))
    assert list(refused.value.errors) == ["date"]


def test_user_today_takes_an_explicit_instant(users):
    patient = users.patient(timezone="Pacific/Kiritimati")
    assert patient.today(instant("2026-12-31T10:00:00Z")) == date(2027, 1, 1)
    patient.timezone = "Pacific/Pago_Pago"
    assert patient.today(instant("2027-01-01T10:00:00Z")) == date(2026, 12, 31)
