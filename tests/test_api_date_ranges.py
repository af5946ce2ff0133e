"""Every date a client can send in a range is a 200, a 422 or a 404, never a 500 (issue 10,
finding 1): years 1 and 9999, and ranges whose defaults would run past the calendar's ends."""

from __future__ import annotations

import pytest

from . import clock

DAYS = "/api/v1/patients/me/days"
MONTHS = "/api/v1/patients/me/months"

OUT_OF_RANGE = [
    (DAYS, "?to=0001-01-05", "to"),
    (DAYS, "?from=0001-01-01", "from"),
    (DAYS, "?from=9999-12-31", "from"),
    (DAYS, "?to=9999-12-31", "to"),
    (DAYS, "?from=0001-01-01&to=0003-01-01", "from"),
    (MONTHS, "?to=0001-01", "to"),
    (MONTHS, "?from=0001-01", "from"),
    (MONTHS, "?from=9999-12", "from"),
    (MONTHS, "?to=9999-12", "to"),
    (MONTHS, "?from=9999-01&to=9999-12", "from"),
]
CHART_QUERIES = [
    ("?to=0001-01-05", "to"),
    ("?from=0001-01-01&to=0003-01-01", "from"),
    ("?from=9999-12-01", "from"),
    ("?to=9999-12-31", "to"),
]


def assert_field_refused(response, field: str) -> None:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    errors = response.get_json()["errors"]
    assert field in errors, errors
    assert all(isinstance(message, str) and message for message in errors[field])


@pytest.mark.parametrize(
    ("path", "query", "field"), OUT_OF_RANGE, ids=[f"{p.rsplit('/', 1)[1]}{q}" for p, q, _ in OUT_OF_RANGE]
)
def test_a_date_off_the_calendar_is_a_422_on_its_field(logged_in, path, query, field):
    assert_field_refused(logged_in.get(path + query), field)


@pytest.mark.parametrize("name", ["intensity", "monthly", "calendar", "sessions"])
@pytest.mark.parametrize(("query", "field"), CHART_QUERIES, ids=[q for q, _ in CHART_QUERIES])
def test_a_chart_date_off_the_calendar_is_a_422_on_its_field(logged_in, name, query, field):
    assert_field_refused(logged_in.get(f"/api/v1/patients/me/charts/{name}{query}"), field)


@pytest.mark.parametrize(
    "query", ["?from=1900-01-01&to=1905-06-01", "?to=1900-01-05", "?from=2999-12-31&to=2999-12-31"]
)
def test_the_edges_of_the_calendar_are_answered(logged_in, query):
    assert logged_in.get(DAYS + query).status_code in (200, 422)
    assert logged_in.get(DAYS + "?from=1900-01-01&to=1900-01-31").status_code == 200
    assert logged_in.get(MONTHS + "?to=1900-12").status_code == 200
    assert logged_in.get(MONTHS + "?from=2999-01&to=2999-12").status_code == 200
    for name in ("intensity", "monthly", "calendar", "sessions"):
        response = logged_in.get(f"/api/v1/patients/me/charts/{name}{query}")
        assert response.status_code in (200, 422), (name, response.get_data(as_text=True))


@pytest.mark.parametrize("month", ["0001-01", "0001-02", "9999-12", "1899-12"])
def test_the_calendar_page_of_a_month_off_the_calendar_is_not_a_500(logged_in, month):
    response = logged_in.client.get(f"/calendar?month={month}")  # the API's login cookie
    assert response.status_code in (200, 404), response.status_code


def test_the_calendar_page_still_shows_a_month_in_range(logged_in, patient):
    month = clock.today(patient).strftime("%Y-%m")
    assert logged_in.client.get(f"/calendar?month={month}").status_code == 200
