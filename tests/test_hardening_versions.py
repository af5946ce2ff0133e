"""A version sent by a client (If-Match, a form's `version`) that is not a plain number is no
version, never a server error: `str.isdigit()` accepts "²", and `int()` does not."""

from __future__ import annotations

from datetime import timedelta

import pytest

from . import clock
from .factories import day_body

NOT_NUMBERS = ["²", "١٢", "9" * 5000, "-1", " 1", ""]
NAMES = ["superscript two", "arabic-indic twelve", "5000 digits", "minus one", "leading space", "empty"]


@pytest.fixture
def day(patient):
    return (clock.today(patient) - timedelta(days=1)).isoformat()


@pytest.mark.parametrize("value", NOT_NUMBERS[:4], ids=NAMES[:4])
def test_an_if_match_that_is_no_plain_number_is_412(logged_in, day, value):
    url = f"/api/v1/patients/me/days/{day}"
    assert logged_in.put(url, json=day_body()).status_code == 201
    stale = logged_in.put(url, json=day_body(soreness=9), headers={"If-Match": f'"{value}"'})
    assert stale.status_code == 412
    assert logged_in.delete(url, headers={"If-Match": value}).status_code == 412
    assert logged_in.get(url).get_json()["soreness"] == 3


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=NAMES)
def test_a_form_version_that_is_no_plain_number_is_no_version(logged_in, day, value):
    response = logged_in.client.post(
        f"/days/{day}", data={"csrf_token": logged_in.csrf_token(), "version": value, "headache_today": "no"}
    )
    assert response.status_code == 302, response.text
    assert logged_in.get(f"/api/v1/patients/me/days/{day}").get_json()["had_headache"] is False
